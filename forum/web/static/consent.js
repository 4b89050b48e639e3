// The cookie banner, enhanced: its forms are sent in the background and the banner closes in
// place. Without JavaScript the same forms post to /cookies and come back to this page.
(function () {
  "use strict";
  // Our words in the page's language: texts.js, which base.html loads before this file.
  var forumTexts = window.forumTexts;
  var say = forumTexts.say;
  var banner = document.querySelector("[data-consent-banner]");
  if (!banner || !window.fetch || !window.URLSearchParams || !window.FormData) {
    return;
  }
  var status = banner.querySelector("[data-consent-status]");

  function close() {
    banner.hidden = true;
    var main = document.getElementById("main");
    if (main) {
      main.setAttribute("tabindex", "-1");
      main.focus({ preventScroll: true });
    }
  }

  banner.querySelectorAll("form").forEach(function (form) {
    form.addEventListener("submit", function (event) {
      event.preventDefault();
      var buttons = banner.querySelectorAll("button");
      buttons.forEach(function (b) { b.disabled = true; });
      fetch(form.action, {
        method: "POST",
        body: new URLSearchParams(new FormData(form)),
        headers: { "Accept": "application/json" },
        credentials: "same-origin",
      }).then(function (response) {
        if (!response.ok) {
          throw new Error("status " + response.status);
        }
        close();
      }).catch(function () {
        buttons.forEach(function (b) { b.disabled = false; });
        if (status) {
          status.textContent = say("consent_retry", "That did not work. Trying again without JavaScript…");
        }
        form.submit();
      });
    });
  });
})();
