// The NPS / CSAT survey prompt (templates/surveys/_prompt.html): send its two forms in the
// background and replace the prompt with the answer's message. Without this script the
// forms post and the page comes back with the same message.
(function () {
  "use strict";
  function wire(section) {
    var status = section.querySelector("[data-survey-status]");
    section.querySelectorAll("form[data-survey-form]").forEach(function (form) {
      form.addEventListener("submit", function (event) {
        event.preventDefault();
        window.touchpoint.sendForm(form)  // static/js/site.js
          .then(function (response) {
            return response.json().then(function (body) {
              return { ok: response.ok, body: body };
            });
          })
          .then(function (result) {
            if (result.ok) {
              section.querySelectorAll("form").forEach(function (f) { f.hidden = true; });
              status.textContent = result.body.message || "";
              section.focus();
            } else {
              status.textContent = (result.body && result.body.error) || "";
            }
          })
          .catch(function () { form.submit(); });
      });
    });
  }
  document.querySelectorAll("[data-survey]").forEach(function (section) {
    section.setAttribute("tabindex", "-1");
    wire(section);
  });
})();
