/* The forum's embed: put a thread under this page, in a frame served by the forum.
   <script src="https://forum.example/embed.js" data-site="1" data-page-url="…" data-title="…" async></script>
   (data-consent="necessary": the site's reader allowed necessary cookies only;
   data-signin-url="https://blog.example/forum-signin": where the site signs its readers in;
   data-lang="de": the page's language, else its <html lang>: the frame's, and a new thread's.)
   No dependencies; the frame tells its height by postMessage, accepted from the forum only. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var forum = new URL(script.src).origin;
  var site = script.getAttribute("data-site") || "";
  var page = script.getAttribute("data-page-url") || location.href;
  var title = script.getAttribute("data-title") || document.title;
  var lang = script.getAttribute("data-lang") || document.documentElement.lang;
  var frame = document.createElement("iframe");
  frame.src = forum + "/embed/" + encodeURIComponent(site) + "/thread?url=" +
    encodeURIComponent(page) + "&title=" + encodeURIComponent(title) +
    "&parent=" + encodeURIComponent(location.origin) +
    (script.getAttribute("data-consent") === "necessary" ? "&consent=necessary" : "") +
    (script.getAttribute("data-signin-url") ?
      "&signin=" + encodeURIComponent(script.getAttribute("data-signin-url")) : "") +
    (lang ? "&lang=" + encodeURIComponent(lang) : "");
  frame.title = "Comments"; // until the frame says it in its language
  frame.style.width = "100%";
  frame.style.height = "320px";
  frame.style.border = "0";
  script.parentNode.insertBefore(frame, script.nextSibling);
  window.addEventListener("message", function (event) {
    if (event.origin !== forum || event.source !== frame.contentWindow) return;
    var data = event.data;
    if (data && data.type === "forum:height" && typeof data.height === "number") {
      frame.style.height = Math.max(50, Math.min(Math.ceil(data.height), 100000)) + "px";
      if (typeof data.title === "string") frame.title = data.title.slice(0, 100);
    }
  });
})();
