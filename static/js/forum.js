// Forum pages: a form marked data-once sends once — a double click does not post twice.
// (The server also treats an identical reply a moment later as the same submission.)
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) {
      return;
    }
    if (form.dataset.sending === "1") {
      event.preventDefault();
      return;
    }
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    // Let the browser read the button's value before it is disabled.
    window.setTimeout(function () {
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = true;
      });
    }, 0);
    // If the page is shown again from the back/forward cache, allow sending again.
    window.addEventListener("pageshow", function () {
      form.dataset.sending = "";
      form.removeAttribute("aria-busy");
      form.querySelectorAll("button[type=submit]").forEach(function (button) {
        button.disabled = false;
      });
    }, { once: true });
  });
})();
