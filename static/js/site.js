// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

  // Pages anonymous readers see are cached, so they carry no CSRF token: one is fetched
  // (same origin; it starts the session) right before a form is first used.
  var tokenPromise = null;

  function csrfToken() {
    if (!tokenPromise) {
      tokenPromise = fetch(document.body.dataset.csrfUrl, {
        credentials: "same-origin",
        cache: "no-store",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : {}; })
        .then(function (data) {
          var token = data.token || "";
          document.querySelectorAll("input[name=csrf_token]").forEach(function (field) {
            if (!field.value) { field.value = token; }
          });
          return token;
        })
        .catch(function () { tokenPromise = null; return ""; });
    }
    return tokenPromise;
  }

  // Sends a form in the background to its own action and asks for JSON back: the guide
  // steps here, votes (forum.js) and survey answers (survey.js) all go this one way.
  function sendForm(form) {
    return fetch(form.action, {
      method: "POST",
      body: new FormData(form),
      headers: { Accept: "application/json" },
      credentials: "same-origin",
    });
  }
  window.touchpoint = { sendForm: sendForm };

  // Runs before any form's own handler: a form without its token waits for one, then
  // is sent again with the same button (without JS the server asks to confirm instead).
  function fillTokensBeforeSubmit() {
    document.addEventListener("submit", function (event) {
      var form = event.target;
      var field = form.querySelector("input[name=csrf_token]");
      if (!field || field.value || form.method.toLowerCase() !== "post") { return; }
      event.preventDefault();
      event.stopImmediatePropagation();
      var submitter = event.submitter && event.submitter.form === form ? event.submitter : null;
      csrfToken().then(function (token) {
        if (!token) { form.submit(); return; }
        if (submitter) { form.requestSubmit(submitter); } else { form.requestSubmit(); }
      });
    }, true);
  }

  // Page views are counted by this request, not when the page is rendered (pages are
  // cached). The visitor key lives in this browser's storage and rotates; no cookie.
  var VISITOR_KEY = "tp_vk";

  function visitorKey(hours) {
    var stored = null;
    try { stored = JSON.parse(window.localStorage.getItem(VISITOR_KEY) || "null"); } catch (e) { stored = null; }
    var now = Date.now();
    if (!stored || !stored.key || now - stored.born > hours * 3600 * 1000) {
      var bytes = new Uint8Array(16);
      window.crypto.getRandomValues(bytes);
      stored = {
        key: Array.prototype.map.call(bytes, function (b) { return ("0" + b.toString(16)).slice(-2); }).join(""),
        born: now,
      };
      try { window.localStorage.setItem(VISITOR_KEY, JSON.stringify(stored)); } catch (e) { /* private mode */ }
    }
    return stored.key;
  }

  function countView() {
    var url = document.body.dataset.beacon;
    if (!url) { return; }
    var key = visitorKey(Number(document.body.dataset.keyHours) || 24);
    fetch(url + (url.indexOf("?") < 0 ? "?" : "&") + "k=" + encodeURIComponent(key), {
      credentials: "same-origin",
      cache: "no-store",
      keepalive: true,
    }).catch(function () { /* offline: the view is not counted */ });
  }

  // Guide steps: tick without reloading the page; the form still posts without JavaScript.
  function enhanceGuideSteps() {
    var progressText = document.querySelector(".guide-progress .progress-text");
    var progressBar = document.querySelector(".guide-progress progress");
    document.querySelectorAll("form.step-form").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        var button = form.querySelector(".step-toggle");
        var doneInput = form.querySelector("input[name=done]");
        button.disabled = true;
        sendForm(form)
          .then(function (response) {
            if (!response.ok) { throw new Error("HTTP " + response.status); }
            return response.json();
          })
          .then(function (data) {
            var nowDone = doneInput.value === "1";
            var step = form.closest(".step");
            step.classList.toggle("step-done", nowDone);
            doneInput.value = nowDone ? "0" : "1";
            button.setAttribute("aria-pressed", nowDone ? "true" : "false");
            // The visible label is aria-hidden; the hidden span carries the whole name
            // ("Mark as done: <step title>") as one translated sentence.
            button.querySelector(".step-toggle-label").textContent =
              nowDone ? button.dataset.labelDone : button.dataset.labelTodo;
            button.querySelector(".step-toggle-name").textContent =
              nowDone ? button.dataset.nameDone : button.dataset.nameTodo;
            if (progressText) {
              progressText.textContent = progressText.dataset.template
                .replace("__DONE__", data.done_count).replace("__TOTAL__", data.total);
            }
            if (progressBar) { progressBar.value = data.done_count; }
          })
          .catch(function () { form.submit(); })
          .finally(function () { button.disabled = false; });
      });
    });
  }

  // Instant search: top matches under the search box while typing (debounced).
  // Without JavaScript the box is a plain GET form to the search page.
  var SETTLE_MS = 1500;

  function enhanceInstantSearch(input) {
    var form = input.form;
    var listId = input.id + "-instant";
    var list = document.createElement("ul");
    var status = document.createElement("p");
    var timer = null;
    var active = -1;
    var lastQuery = "";
    var controller = null;
    var settleTimer = null;
    var submitting = false;
    var recorded = { query: "", promise: null };
    list.id = listId;
    list.className = "instant-results";
    list.setAttribute("role", "listbox");
    list.setAttribute("aria-label", input.dataset.labelResults);
    list.hidden = true;
    status.className = "visually-hidden";
    status.setAttribute("role", "status");
    form.classList.add("has-instant");
    form.appendChild(list);
    form.appendChild(status);
    input.setAttribute("role", "combobox");
    input.setAttribute("aria-autocomplete", "list");
    input.setAttribute("aria-expanded", "false");
    input.setAttribute("aria-controls", listId);

    function options() { return list.querySelectorAll("[role=option][data-href]"); }

    function close() {
      list.hidden = true;
      active = -1;
      input.setAttribute("aria-expanded", "false");
      input.removeAttribute("aria-activedescendant");
    }

    function highlight(index) {
      var items = options();
      if (!items.length) { return; }
      active = (index + items.length) % items.length;
      items.forEach(function (item, i) { item.setAttribute("aria-selected", i === active ? "true" : "false"); });
      input.setAttribute("aria-activedescendant", items[active].id);
    }

    // Options are plain list items (a link inside an option is "nested interactive"
    // content to assistive technology); choosing one goes to its data-href.
    // The query a visitor settled on (typing paused, a suggestion chosen, the box left) is
    // recorded once, off the as-you-type path; resolves to the search event's id, or null.
    function recordSettled() {
      clearTimeout(settleTimer);
      settleTimer = null;
      var query = input.value.trim();
      if (query.length < 2 || submitting) { return Promise.resolve(null); }
      if (recorded.query === query) { return recorded.promise; }
      var body = new FormData();
      body.append("q", query);
      body.append("locale", input.dataset.locale);
      recorded.query = query;
      var token = input.dataset.csrf ? Promise.resolve(input.dataset.csrf) : csrfToken();
      recorded.promise = token
        .then(function (value) {
          body.append("csrf_token", value);
          return fetch(input.dataset.record, {
            method: "POST",
            body: body,
            credentials: "same-origin",
            keepalive: true,
            headers: { Accept: "application/json" },
          });
        })
        .then(function (response) { return response.ok ? response.json() : {}; })
        .then(function (data) { return data.event_id || null; })
        .catch(function () { return null; });
      return recorded.promise;
    }

    function settleLater() {
      clearTimeout(settleTimer);
      settleTimer = setTimeout(recordSettled, SETTLE_MS);
    }

    // A chosen suggestion opens through the click-through link, so the click is counted
    // with its position; if recording is slow or fails, the page opens anyway.
    function go(item) {
      var href = item.dataset.href;
      var position = Array.prototype.indexOf.call(options(), item) + 1;
      var done = false;
      function open(eventId) {
        if (done) { return; }
        done = true;
        window.location.href = eventId
          ? input.dataset.click + "?e=" + eventId + "&p=" + position + "&to=" + encodeURIComponent(href)
          : href;
      }
      setTimeout(function () { open(null); }, 800);
      recordSettled().then(open);
    }

    function render(suggestions) {
      list.textContent = "";
      suggestions.forEach(function (suggestion, i) {
        var item = document.createElement("li");
        item.id = listId + "-" + i;
        item.setAttribute("role", "option");
        item.setAttribute("aria-selected", "false");
        item.dataset.href = suggestion.url;
        item.dir = "auto"; // a Latin title in an Arabic page keeps its own order
        item.textContent = suggestion.title;
        // mousedown would blur the box and close the list before the click lands
        item.addEventListener("mousedown", function (event) { event.preventDefault(); });
        item.addEventListener("click", function () { go(item); });
        list.appendChild(item);
      });
      if (!suggestions.length) {
        var empty = document.createElement("li");
        empty.className = "instant-empty";
        empty.setAttribute("role", "option");
        empty.setAttribute("aria-disabled", "true");
        empty.setAttribute("aria-selected", "false");
        empty.textContent = input.dataset.labelNone;
        list.appendChild(empty);
      }
      status.textContent = suggestions.length ? suggestions.length + " ✓" : input.dataset.labelNone;
      list.hidden = false;
      active = -1;
      input.setAttribute("aria-expanded", "true");
    }

    function fetchSuggestions() {
      var query = input.value.trim();
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < 2) { close(); return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var url = input.dataset.instant + "?locale=" + encodeURIComponent(input.dataset.locale) +
        "&q=" + encodeURIComponent(query);
      fetch(url, { signal: controller.signal, headers: { Accept: "application/json" } })
        .then(function (response) { return response.ok ? response.json() : { suggestions: [] }; })
        .then(function (data) {
          if (input.value.trim() === query) {
            render(data.suggestions || []);
            settleLater();
          }
        })
        .catch(function () { /* aborted or offline: the form still submits */ });
    }

    input.addEventListener("input", function () {
      // Typing uses the form: get its token now, so a record sent as the page closes has it.
      if (!input.dataset.csrf) { csrfToken(); }
      clearTimeout(timer);
      clearTimeout(settleTimer);
      timer = setTimeout(fetchSuggestions, 250);
    });
    // Submitting goes to the results page, which records the search itself.
    form.addEventListener("submit", function () {
      submitting = true;
      clearTimeout(settleTimer);
    });
    window.addEventListener("pagehide", function () { if (settleTimer) { recordSettled(); } });
    input.addEventListener("keydown", function (event) {
      if (list.hidden) { return; }
      if (event.key === "ArrowDown") { event.preventDefault(); highlight(active + 1); }
      else if (event.key === "ArrowUp") { event.preventDefault(); highlight(active - 1); }
      else if (event.key === "Escape") { close(); }
      else if (event.key === "Enter" && active >= 0) {
        event.preventDefault();
        go(options()[active]);
      }
    });
    input.addEventListener("blur", function () {
      if (settleTimer) { recordSettled(); }
      setTimeout(close, 200);
    });
  }

  // print.css prints each link's address after it; give it the absolute one.
  function markPrintAddresses() {
    document.querySelectorAll("main a[href]:not([href^='#'])").forEach(function (link) {
      link.setAttribute("data-print-href", link.href);
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    markPrintAddresses();
    fillTokensBeforeSubmit();
    countView();
    enhanceGuideSteps();
    document.querySelectorAll("input[data-instant]").forEach(enhanceInstantSearch);
  });
})();
