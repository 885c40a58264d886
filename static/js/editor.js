// Editor live preview: the Markdown goes to the server, which renders it with the same
// app/markdown.py as the published page, so the preview cannot differ from the site.
// Without JavaScript the form's "Preview" button does the same with a full page load.
// The guide steps' "Move up" / "Move down" buttons move a step in place here; without
// JavaScript they post the form, which comes back with the two steps swapped (not saved).
(function () {
  "use strict";

  var DELAY_MS = 300;

  function setup(form) {
    var url = form.getAttribute("data-preview-url");
    var body = form.querySelector("textarea.markdown-input");
    var token = form.querySelector("input[name=csrf_token]");
    var preview = document.getElementById("preview");
    var warnings = document.getElementById("preview-warnings");
    if (!url || !body || !token || !preview) return;

    var timer = null;
    var inFlight = null;
    var sent = body.value;

    function showWarnings(list) {
      if (!warnings) return;
      warnings.textContent = "";
      (list || []).forEach(function (text) {
        var item = document.createElement("li");
        item.textContent = text;
        warnings.appendChild(item);
      });
    }

    function refresh() {
      if (body.value === sent) return;
      sent = body.value;
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      var data = new FormData();
      data.append("csrf_token", token.value);
      data.append("body", body.value);
      // Callout titles follow the article's language, not the editor's.
      var language = form.querySelector("[name=locale]");
      var locale = language ? language.value : form.getAttribute("data-locale");
      if (locale) data.append("locale", locale);
      fetch(url, {
        method: "POST",
        body: data,
        headers: { "X-CSRFToken": token.value, Accept: "application/json" },
        credentials: "same-origin",
        signal: inFlight.signal,
      })
        .then(function (response) {
          return response.json().then(function (json) {
            return { ok: response.ok, json: json };
          });
        })
        .then(function (result) {
          if (!result.ok) {
            showWarnings([result.json.error || ""]);
            return;
          }
          // The server returns HTML already sanitized by app/markdown.py (nh3 allow-list).
          preview.innerHTML = result.json.html;
          showWarnings(result.json.warnings);
          preview.setAttribute("data-rendered", String(Date.now()));
        })
        .catch(function (error) {
          if (error && error.name === "AbortError") return;
        });
    }

    body.addEventListener("input", function () {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    });
  }

  var NUMBER = "__NUMBER__";
  var STEP_PREFIX = /^steps-\d+-/;
  var RENAMED = ["name", "id", "for", "aria-describedby"];

  function setupSteps(form) {
    var list = form.querySelector("[data-step-list]");
    var status = form.querySelector("#step-move-status");
    if (!list) return;

    function rows() {
      return Array.prototype.filter.call(list.children, function (el) {
        return el.classList.contains("step-editor");
      });
    }

    function filled(row) {
      var title = row.querySelector("input[name$='-title']");
      var body = row.querySelector("textarea[name$='-body']");
      return Boolean((title && title.value.trim()) || (body && body.value.trim()));
    }

    // Same rule as app/editor/drafts.py movable_step_count: the rows up to the last filled
    // one move; the empty rows after it are for adding a step.
    function movableCount(all) {
      for (var i = all.length - 1; i >= 0; i -= 1) {
        if (filled(all[i])) return i + 1;
      }
      return 0;
    }

    function showButtons(all) {
      var count = movableCount(all);
      all.forEach(function (row, index) {
        row.querySelectorAll("button[data-move]").forEach(function (button) {
          var up = button.getAttribute("data-move") === "up";
          button.hidden = up ? !(index > 0 && index < count) : !(index < count - 1);
        });
      });
    }

    // Field names carry the position (steps-2-title): renaming them makes the posted order
    // the order on screen. Labels and button names get their number from data-template.
    function renumber(all) {
      all.forEach(function (row, index) {
        row.querySelectorAll("*").forEach(function (el) {
          RENAMED.forEach(function (attr) {
            var value = el.getAttribute(attr);
            if (value && STEP_PREFIX.test(value)) {
              el.setAttribute(attr, value.replace(STEP_PREFIX, "steps-" + index + "-"));
            }
          });
        });
        row.querySelectorAll("[data-template]").forEach(function (el) {
          el.textContent = el.getAttribute("data-template").replace(NUMBER, String(index + 1));
        });
        row.querySelectorAll("button[data-move]").forEach(function (button) {
          button.value = index + ":" + button.getAttribute("data-move");
        });
      });
      showButtons(all);
    }

    function announce(position) {
      if (!status) return;
      var text = status.getAttribute("data-template").replace(NUMBER, String(position));
      status.textContent = "";
      // A fresh text node after a pause, so the same message twice is announced twice.
      window.setTimeout(function () {
        status.textContent = text;
      }, 50);
    }

    list.addEventListener("click", function (event) {
      var button = event.target.closest("button[data-move]");
      if (!button || !list.contains(button)) return;
      event.preventDefault();
      var all = rows();
      var row = button.closest(".step-editor");
      var index = all.indexOf(row);
      var direction = button.getAttribute("data-move");
      var other = all[direction === "up" ? index - 1 : index + 1];
      if (index < 0 || !other || button.hidden) return;
      // Move the neighbour, not the focused row, so the focus never leaves the page.
      list.insertBefore(other, direction === "up" ? row.nextSibling : row);
      all = rows();
      renumber(all);
      var same = row.querySelector("button[data-move='" + direction + "']");
      var keep = same && !same.hidden ? same : row.querySelector("button[data-move]:not([hidden])");
      if (keep && document.activeElement !== keep) keep.focus();
      announce(all.indexOf(row) + 1);
    });

    // Typing into the empty row turns it into a step that can move.
    list.addEventListener("input", function () {
      showButtons(rows());
    });
  }

  // A new article: while the title is typed, show the URL name an empty field will get
  // (made on the server, which transliterates Japanese and Arabic titles).
  function setupSlug(form) {
    var url = form.getAttribute("data-slug-url");
    var title = form.querySelector("input[name=title]");
    var slug = form.querySelector("input[name=slug]");
    var hint = document.getElementById("slug-suggestion");
    if (!url || !title || !slug || !hint) return;
    var timer = null;
    var inFlight = null;

    function show(value) {
      slug.placeholder = value;
      hint.hidden = !value || Boolean(slug.value.trim());
      hint.textContent = value ? hint.getAttribute("data-template").replace("__SLUG__", value) : "";
    }

    function refresh() {
      if (inFlight) inFlight.abort();
      inFlight = new AbortController();
      var language = form.querySelector("select[name=locale], input[name=locale]");
      var query = (url.indexOf("?") < 0 ? "?" : "&") + "title=" + encodeURIComponent(title.value);
      if (language && language.value) query += "&locale=" + encodeURIComponent(language.value);
      fetch(url + query, {
        headers: { Accept: "application/json" },
        credentials: "same-origin",
        signal: inFlight.signal,
      })
        .then(function (response) { return response.ok ? response.json() : { slug: "" }; })
        .then(function (json) { show(json.slug || ""); })
        .catch(function () { /* aborted or offline: the server still makes the name */ });
    }

    function later() {
      window.clearTimeout(timer);
      timer = window.setTimeout(refresh, DELAY_MS);
    }

    title.addEventListener("input", later);
    form.addEventListener("change", function (event) {
      if (event.target.name === "locale") later();
    });
    slug.addEventListener("input", function () {
      hint.hidden = !slug.placeholder || Boolean(slug.value.trim());
    });
    if (title.value.trim()) refresh();
  }

  function init() {
    var forms = document.querySelectorAll("form.editor-form[data-preview-url]");
    Array.prototype.forEach.call(forms, setup);
    Array.prototype.forEach.call(forms, setupSteps);
    Array.prototype.forEach.call(forms, setupSlug);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
