// Live threads: while a reader is on an article page, comments published by others are
// announced ("3 new comments — show") through Server-Sent Events; "show" loads the thread
// again in place. Without this file (or without EventSource) the page simply stays as it is.
(function () {
  "use strict";
  // Our words in the page's language: texts.js, which base.html loads before this file.
  var forumTexts = window.forumTexts;
  var sayCount = forumTexts.sayCount;
  var script = document.currentScript;
  var url = script && script.getAttribute("data-events");
  var section = document.getElementById("comments");
  if (!url || !section || !window.EventSource || !window.fetch || !window.DOMParser) { return; }

  var OWN_GRACE_MS = 2000;
  var fresh = [];
  var bar = document.createElement("p");
  bar.className = "live-news";
  bar.setAttribute("role", "status");
  var button = document.createElement("button");  // in the page only while there is news
  button.type = "button";
  button.className = "secondary live-show";
  place();

  function place() {
    var heading = section.querySelector("h2");
    if (heading) { heading.insertAdjacentElement("afterend", bar); } else { section.prepend(bar); }
  }

  function shown(id) { return document.getElementById("comment-" + id) !== null; }

  function update() {
    fresh = fresh.filter(function (id) { return !shown(id); });
    var n = fresh.length;
    if (n === 0) { button.remove(); return; }
    button.textContent = sayCount("live_news", "{num} new comment — show", "{num} new comments — show", n, {});
    if (!button.isConnected) { bar.appendChild(button); }
  }

  var source = new EventSource(url);
  source.addEventListener("comment", function (event) {
    var data;
    try { data = JSON.parse(event.data); } catch (e) { return; }
    if (typeof data.id !== "number" || fresh.indexOf(data.id) !== -1) { return; }
    // The reader's own comment, posted in place, may be announced before its card is in the
    // page: count a comment only if it is still missing a moment later.
    window.setTimeout(function () {
      if (shown(data.id) || fresh.indexOf(data.id) !== -1) { return; }
      fresh.push(data.id);
      update();
    }, OWN_GRACE_MS);
  });

  button.addEventListener("click", function () {
    button.setAttribute("aria-busy", "true");
    fetch(window.location.href.split("#")[0], { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("comments");
        if (!next) { throw new Error("no thread"); }
        var wanted = fresh.slice();
        var imported = document.importNode(next, true);
        section.replaceWith(imported);
        section = imported;
        place();
        button.removeAttribute("aria-busy");
        var first = wanted.map(function (id) { return document.getElementById("comment-" + id); })
          .filter(Boolean)[0];
        update();
        if (first) {
          first.setAttribute("tabindex", "-1");
          first.focus();
        } else if (fresh.length) {
          window.location.href = "/comments/" + fresh[0];
        }
      })
      .catch(function () { window.location.reload(); });
  });
})();
