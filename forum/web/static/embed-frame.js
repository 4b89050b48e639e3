/* Inside a thread framed on a registered site: tell the embedding page our height, to its
   exact origin only (data-parent, checked by the server against the site's origins). */
(function () {
  "use strict";
  var parentOrigin = document.documentElement.getAttribute("data-parent");
  if (!parentOrigin || window.parent === window) return;
  var last = -1;
  function send() {
    var height = Math.ceil(document.documentElement.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage({ type: "forum:height", height: height }, parentOrigin);
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(document.documentElement);
  window.addEventListener("load", send);
  send();
})();
