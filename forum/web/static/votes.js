// Votes in place: the vote form (which works on its own, back to the comment) is sent to the
// JSON API instead, and the buttons and counts change where they are.
(function () {
  "use strict";
  if (!window.fetch) { return; }
  var LANG = document.documentElement.lang || "en";
  function number(n) { return window.Intl ? new Intl.NumberFormat(LANG).format(n) : String(n); }
  function show(form, tally) {
    form.querySelectorAll("button[data-vote]").forEach(function (button) {
      var kind = button.getAttribute("data-vote");
      var pressed = tally.mine === kind;
      button.setAttribute("aria-pressed", pressed ? "true" : "false");
      button.value = pressed ? "clear" : kind;
    });
    form.querySelectorAll("[data-vote-count]").forEach(function (count) {
      var kind = count.getAttribute("data-vote-count");
      count.firstChild.nodeValue = number(kind === "down" ? tally.down : tally.up);
    });
  }
  document.addEventListener("submit", function (event) {
    var form = event.target.closest("form[data-vote-form]");
    var button = event.submitter;
    if (!form || !button || !button.hasAttribute("data-vote")) { return; }
    event.preventDefault();
    var token = form.querySelector("input[name=_csrf_token]");
    var clear = button.value === "clear";
    var url = "/api/comments/" + form.getAttribute("data-comment") + "/vote";
    form.setAttribute("aria-busy", "true");
    fetch(url, {
      method: clear ? "DELETE" : "PUT",
      credentials: "same-origin",
      headers: { "Content-Type": "application/json", "X-CSRFToken": token ? token.value : "" },
      body: clear ? null : JSON.stringify({ value: button.value })
    })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.json();
      })
      .then(function (tally) { show(form, tally); button.focus(); })
      .catch(function () {  // the server's page says what went wrong (a limit, a login)
        var value = document.createElement("input");
        value.type = "hidden"; value.name = "value"; value.value = button.value;
        form.appendChild(value);
        form.submit();
      })
      .then(function () { form.removeAttribute("aria-busy"); });
  });
})();
