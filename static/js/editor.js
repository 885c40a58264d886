// Editor live preview: the Markdown goes to the server, which renders it with the same
// app/markdown.py as the published page, so the preview cannot differ from the site.
// Without JavaScript the form's "Preview" button does the same with a full page load.
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

  function init() {
    var forms = document.querySelectorAll("form.editor-form[data-preview-url]");
    Array.prototype.forEach.call(forms, setup);
  }

  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", init);
  } else {
    init();
  }
})();
