/* The sign-in popup of a framed thread (templates/sites/signin.html): hand the ticket to the
   frame that opened this window, posted to our own origin only, then close. */
(function () {
  "use strict";
  var box = document.querySelector("[data-frame-ticket]");
  if (!box) return;
  var opener = window.opener;
  if (!opener) {
    var lost = document.querySelector("[data-frame-ticket-lost]");
    if (lost) lost.hidden = false;
    return;
  }
  opener.postMessage(
    { type: "forum:signin", ticket: box.getAttribute("data-frame-ticket"),
      nonce: box.getAttribute("data-nonce") },
    location.origin
  );
  window.close();
})();
