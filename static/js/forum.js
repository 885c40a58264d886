// Forum pages: a form marked data-once sends once — a double click does not post twice.
// (The server also treats an identical reply a moment later as the same submission.)
// Votes are sent without reloading the page; without JavaScript the vote form posts and
// the server redirects back to the post.
(function () {
  "use strict";

  document.addEventListener("submit", function (event) {
    var form = event.target;
    if (!(form instanceof HTMLFormElement) || !form.hasAttribute("data-once")) {
      return;
    }
    if (event.defaultPrevented) {
      return; // sent by a script below (a vote), which guards against double clicks itself
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

  // A message next to the vote button, announced at once (role=alert) by screen readers.
  function showVoteMessage(form, text) {
    var message = form.querySelector(".vote-message");
    if (!message) {
      message = document.createElement("span");
      message.className = "vote-message";
      message.setAttribute("role", "alert");
      form.appendChild(message);
    }
    message.textContent = text;
  }

  function clearVoteMessage(form) {
    var message = form.querySelector(".vote-message");
    if (message) { message.remove(); }
  }

  function isJson(response) {
    return (response.headers.get("Content-Type") || "").indexOf("application/json") === 0;
  }

  // The button stays enabled (and focused) while the vote is sent: disabling it would move
  // keyboard focus away. A second press while one is on its way is ignored.
  function sendVote(form) {
    var button = form.querySelector(".vote-button");
    var count = form.querySelector(".vote-count");
    var messages = form.closest("[data-vote-failed]") || form;
    var leaving = false;
    form.dataset.sending = "1";
    form.setAttribute("aria-busy", "true");
    clearVoteMessage(form);
    window.touchpoint.sendForm(form)  // static/js/site.js
      .then(function (response) {
        if (isJson(response)) {
          return response.json().then(function (data) {
            if (!response.ok) {
              showVoteMessage(form, data.error || messages.dataset.voteFailed);
              return;
            }
            button.setAttribute("aria-pressed", data.voted ? "true" : "false");
            count.textContent = data.label;
          });
        }
        if (response.status === 429) {
          showVoteMessage(form, messages.dataset.voteBusy);
          return;
        }
        // An expired form or session: the ordinary submit shows the server's own page.
        leaving = true;
        form.submit();
      })
      .catch(function () { showVoteMessage(form, messages.dataset.voteFailed); })
      .finally(function () {
        if (!leaving) {
          form.dataset.sending = "";
          form.removeAttribute("aria-busy");
        }
      });
  }

  document.querySelectorAll("form.post-vote").forEach(function (form) {
    if (!window.fetch || !window.FormData) { return; }
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      if (form.dataset.sending !== "1") { sendVote(form); }
    });
  });
})();
