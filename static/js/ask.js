// The ask form: answers that match the title appear while it is typed, and the draft
// survives opening one of them (sessionStorage, per tab). Without this file the form
// still works: suggestions are shown on the preview step.
(function () {
  "use strict";

  var STORE_KEY = "touchpoint.ask.draft";
  var DEBOUNCE_MS = 350;
  var MIN_CHARS = 2;

  function readStore() {
    try { return JSON.parse(window.sessionStorage.getItem(STORE_KEY) || "null"); }
    catch (error) { return null; }
  }

  function writeStore(value) {
    try {
      if (value === null) { window.sessionStorage.removeItem(STORE_KEY); }
      else { window.sessionStorage.setItem(STORE_KEY, JSON.stringify(value)); }
    } catch (error) { /* storage full or disabled: the server-side draft still exists */ }
  }

  function fields(form) {
    return {
      title: form.elements.namedItem("title"),
      category: form.elements.namedItem("category"),
      tags: form.elements.namedItem("tags"),
      body: form.elements.namedItem("body"),
    };
  }

  function saveDraft(form) {
    var f = fields(form);
    writeStore({
      flow: form.dataset.flow,
      locale: form.dataset.locale,
      title: f.title.value,
      category: f.category ? f.category.value : "",
      tags: f.tags.value,
      body: f.body.value,
    });
  }

  // Fill the form from this tab's draft of the same flow, unless the server already did;
  // true when it did. Only an empty form is filled: a draft is never added to typed text.
  function restoreDraft(form) {
    var stored = readStore();
    if (!stored) { return false; }
    if (stored.flow !== form.dataset.flow || stored.locale !== form.dataset.locale) {
      writeStore(null);
      return false;
    }
    var f = fields(form);
    if (f.title.value.trim() || f.body.value.trim()) { return false; }
    if (!(stored.title || "").trim() && !(stored.body || "").trim()) { return false; }
    f.title.value = stored.title || "";
    f.tags.value = stored.tags || "";
    f.body.value = stored.body || "";
    if (f.category && stored.category) {
      var known = Array.prototype.some.call(f.category.options, function (option) {
        return option.value === stored.category;
      });
      if (known) { f.category.value = stored.category; }
    }
    return true;
  }

  function paragraph(text) {
    var p = document.createElement("p");
    p.textContent = text;
    return p;
  }

  // The notice region is a live region from the start, so what is put into it is read out:
  // the server's notice is put back after a pause; a draft restored here gets the same
  // notice with a button that empties the form.
  function announceNotice(form, notice, restoredHere) {
    if (restoredHere) {
      var button = document.createElement("button");
      button.type = "button";
      button.className = "button-secondary";
      button.textContent = notice.dataset.labelDiscard;
      button.addEventListener("click", function () {
        var f = fields(form);
        f.title.value = "";
        f.tags.value = "";
        f.body.value = "";
        if (f.category) { f.category.selectedIndex = 0; }
        writeStore(null);
        notice.textContent = "";
        notice.appendChild(paragraph(notice.dataset.labelDiscarded));
        f.title.focus();
      });
      notice.textContent = "";
      window.setTimeout(function () {
        notice.appendChild(paragraph(notice.dataset.labelRestored));
        notice.appendChild(button);
      }, 100);
      return;
    }
    var shown = Array.prototype.slice.call(notice.childNodes);
    if (!shown.length) { return; }
    notice.textContent = "";
    window.setTimeout(function () {
      shown.forEach(function (node) { notice.appendChild(node); });
    }, 100);
  }

  function badgeText(form, suggestion) {
    if (suggestion.kind === "guide") { return form.dataset.labelGuide; }
    if (suggestion.type === "topic") { return form.dataset.labelTopic; }
    return form.dataset.labelFaq;
  }

  function badge(text, extraClass) {
    var span = document.createElement("span");
    span.className = "badge" + (extraClass ? " " + extraClass : "");
    span.textContent = text;
    return span;
  }

  function snippet(parts) {
    var paragraph = document.createElement("p");
    paragraph.className = "snippet";
    (parts || []).forEach(function (part) {
      if (part[1]) {
        var mark = document.createElement("mark");
        mark.textContent = part[0];
        paragraph.appendChild(mark);
      } else {
        paragraph.appendChild(document.createTextNode(part[0]));
      }
    });
    return paragraph;
  }

  function render(form, region, data) {
    var suggestions = data.suggestions || [];
    var status = document.createElement("p");
    status.className = "ask-suggestions-status" + (suggestions.length ? "" : " hint");
    status.textContent = suggestions.length ? form.dataset.labelFound : form.dataset.labelNone;
    region.textContent = "";
    region.appendChild(status);
    if (!suggestions.length) { return; }
    var list = document.createElement("ol");
    list.className = "ask-suggestion-list";
    suggestions.forEach(function (suggestion) {
      var item = document.createElement("li");
      var link = document.createElement("a");
      item.className = "ask-suggestion";
      link.href = suggestion.url;
      link.textContent = suggestion.title;
      link.addEventListener("click", function () { saveDraft(form); });
      item.appendChild(link);
      item.appendChild(document.createTextNode(" "));
      item.appendChild(badge(badgeText(form, suggestion)));
      if (suggestion.type === "topic" && suggestion.solved) {
        item.appendChild(badge(form.dataset.labelSolved, "badge-solved"));
      }
      item.appendChild(snippet(suggestion.snippet));
      list.appendChild(item);
    });
    region.appendChild(list);
  }

  function enhanceAskForm(form) {
    var region = document.getElementById("ask-suggestions");
    var title = fields(form).title;
    var timer = null;
    var lastQuery = null;
    var controller = null;

    var notice = document.getElementById("ask-draft-notice");
    var restoredHere = restoreDraft(form);
    if (notice) { announceNotice(form, notice, restoredHere); }

    function fetchSuggestions() {
      var query = title.value.trim().replace(/\s+/g, " ");
      if (query === lastQuery) { return; }
      lastQuery = query;
      if (query.length < MIN_CHARS) { return; }
      if (controller) { controller.abort(); }
      controller = new AbortController();
      var url = form.dataset.suggestions + "?q=" + encodeURIComponent(query);
      fetch(url, {
        signal: controller.signal,
        credentials: "same-origin",
        headers: { Accept: "application/json" },
      })
        .then(function (response) { return response.ok ? response.json() : null; })
        .then(function (data) {
          var current = title.value.trim().replace(/\s+/g, " ");
          if (data && current === query) { render(form, region, data); }
        })
        .catch(function () { /* aborted or offline: the preview still shows suggestions */ });
    }

    form.addEventListener("input", function (event) {
      saveDraft(form);
      if (event.target === title) {
        clearTimeout(timer);
        timer = setTimeout(fetchSuggestions, DEBOUNCE_MS);
      }
    });
    form.addEventListener("change", function () { saveDraft(form); });
    if (title.value.trim()) { fetchSuggestions(); }
  }

  // "Post my question": a second click while the first is on its way does nothing (the
  // server also creates the topic only once).
  function submitOnce(form) {
    form.addEventListener("submit", function (event) {
      if (form.dataset.sent) { event.preventDefault(); return; }
      form.dataset.sent = "1";
    });
  }

  document.addEventListener("DOMContentLoaded", function () {
    document.querySelectorAll("form[data-ask-once]").forEach(submitOnce);
    var form = document.getElementById("ask-form");
    if (form && form.dataset.suggestions) { enhanceAskForm(form); }
    if (document.querySelector("[data-ask-clear]")) { writeStore(null); }
  });
})();
