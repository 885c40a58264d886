// Progressive enhancement only: every page works without this file.
(function () {
  "use strict";

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
        fetch(form.action, {
          method: "POST",
          body: new FormData(form),
          headers: { Accept: "application/json" },
          credentials: "same-origin",
        })
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
      body.append("csrf_token", input.dataset.csrf);
      recorded.query = query;
      recorded.promise = fetch(input.dataset.record, {
        method: "POST",
        body: body,
        credentials: "same-origin",
        keepalive: true,
        headers: { Accept: "application/json" },
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

  document.addEventListener("DOMContentLoaded", function () {
    enhanceGuideSteps();
    document.querySelectorAll("input[data-instant]").forEach(enhanceInstantSearch);
  });
})();
