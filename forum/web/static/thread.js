// Progressive enhancement of the thread: reply forms open in place instead of on a new page.
// Without this file every link and form still works.
(function () {
  "use strict";
  var template = document.querySelector("form[data-comment-form]");
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-reply-to]");
    if (!link || !template) { return; }
    var id = link.getAttribute("data-reply-to");
    var card = document.getElementById("comment-" + id);
    if (!card) { return; }
    event.preventDefault();
    var existing = card.querySelector("form.inline-reply");
    if (existing) { existing.querySelector("textarea").focus(); return; }
    var form = template.cloneNode(true);
    form.classList.add("inline-reply");
    form.removeAttribute("data-comment-form");
    var parent = document.createElement("input");
    parent.type = "hidden"; parent.name = "parent_id"; parent.value = id;
    form.appendChild(parent);
    var nonce = form.querySelector("input[name=post_nonce]");
    if (nonce) { nonce.value = nonce.value + "-r" + id; }  // each reply form posts once on its own
    form.querySelectorAll("[id]").forEach(function (el) { el.id = el.id + "-" + id; });
    form.querySelectorAll("label[for]").forEach(function (el) { el.htmlFor = el.htmlFor + "-" + id; });
    form.querySelectorAll("[aria-describedby]").forEach(function (el) { el.removeAttribute("aria-describedby"); });
    var area = form.querySelector("textarea");
    area.value = "";
    var label = form.querySelector("label[for='" + area.id + "']");
    if (label) { label.textContent = "Your reply"; }
    var button = form.querySelector("button[type=submit]");
    if (button) { button.textContent = "Post reply"; }
    var cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "secondary"; cancel.textContent = "Cancel";
    cancel.addEventListener("click", function () { form.remove(); link.focus(); });
    button.parentNode.appendChild(document.createTextNode(" "));
    button.parentNode.appendChild(cancel);
    card.appendChild(form);
    area.focus();
  });

  // "N more replies": the link opens the comment's permalink; here its subtree replaces the
  // comment in place (the permalink page's thread is the comment with all its replies).
  document.addEventListener("click", function (event) {
    var link = event.target.closest("a[data-more-replies]");
    if (!link || !window.fetch || !window.DOMParser) { return; }
    var item = link.closest("li.comment-item");
    if (!item) { return; }
    event.preventDefault();
    link.setAttribute("aria-busy", "true");
    fetch(link.href.split("#")[0], { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var page = new DOMParser().parseFromString(html, "text/html");
        var loaded = page.querySelector("section.thread ol.comments > li.comment-item");
        if (!loaded) { throw new Error("no thread"); }
        var more = loaded.querySelector("p.more-replies");
        if (more) { more.remove(); }
        item.replaceWith(document.importNode(loaded, true));
      })
      .catch(function () { window.location.href = link.href; });
  });
})();
