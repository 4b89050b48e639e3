/* The forum's comment counts for a site's listing page, in one request:
   <script src="https://forum.example/count.js" data-site="1" async></script>
   fills every <a data-forum-count href="…page…"> with "N comments", in the page's language
   (data-lang, else <html lang>) when the forum speaks it. No dependencies. */
(function () {
  "use strict";
  var script = document.currentScript;
  if (!script || !script.src) return;
  var forum = new URL(script.src).origin;
  var links = document.querySelectorAll("a[data-forum-count]");
  var urls = [];
  links.forEach(function (a) {
    var url = a.getAttribute("data-page-url") || a.href;
    if (urls.indexOf(url) < 0 && urls.length < 50) urls.push(url);
  });
  if (!urls.length) return;
  var query = urls.map(function (u) { return "url=" + encodeURIComponent(u); }).join("&");
  var site = encodeURIComponent(script.getAttribute("data-site") || "");
  var lang = script.getAttribute("data-lang") || document.documentElement.lang;
  if (lang) query += "&lang=" + encodeURIComponent(lang);
  fetch(forum + "/api/sites/" + site + "/counts?" + query, { credentials: "omit" })
    .then(function (r) { return r.ok ? r.json() : null; })
    .then(function (data) {
      if (!data || !data.texts) return;
      links.forEach(function (a) {
        var text = data.texts[a.getAttribute("data-page-url") || a.href];
        if (typeof text === "string") a.textContent = text;
      });
    })
    .catch(function () {});
})();
