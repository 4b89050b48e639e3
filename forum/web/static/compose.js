// Progressive enhancement of the comment forms: posting, replying, editing, deleting and the
// preview happen in place. The server answers with a small fragment (comments/_composed.html:
// the message, where the comment is now, a preview or an error); the comment's card itself is
// taken from the thread page the server renders, never built here. Without this file every
// button posts the form and the server brings the reader back to the thread.
(function () {
  "use strict";
  // Our words in the page's language: texts.js, which base.html loads before this file.
  var forumTexts = window.forumTexts;
  var say = forumTexts.say;
  if (!window.fetch || !window.DOMParser || !window.URLSearchParams) { return; }
  var HEADER = { "X-Forum-Compose": "1", "Accept": "text/html" };
  var openers = new WeakMap();  // an inline form -> the link that opened it (focus goes back)

  // One polite live region for what happened; visible as a bar until dismissed.
  var region = document.createElement("div");
  region.className = "compose-status";
  region.setAttribute("role", "status");
  region.setAttribute("aria-live", "polite");
  document.body.appendChild(region);

  function announce(node) {
    region.textContent = "";
    if (!node) { return; }
    var message = document.importNode(node, true);
    message.removeAttribute("role");  // the bar is the status region; no region inside it
    region.appendChild(message);
    var close = document.createElement("button");
    close.type = "button";
    close.className = "link-button compose-dismiss";
    close.textContent = say("dismiss", "Dismiss");
    close.addEventListener("click", function () { region.textContent = ""; });
    region.appendChild(close);
  }

  // The bar has been read out; it leaves when the reader starts writing again (it would cover
  // the form's buttons at the bottom of the screen).
  document.addEventListener("focusin", function (event) {
    if (region.firstChild && event.target.matches && event.target.matches("textarea")) {
      region.textContent = "";
    }
  });

  function parse(html) { return new DOMParser().parseFromString(html, "text/html"); }

  function focusCard(card) {
    if (!card) { return; }
    card.setAttribute("tabindex", "-1");
    card.focus();
  }

  function textarea(form) { return form.querySelector("textarea[name=body]"); }

  function clearError(form) {
    var old = form.querySelector("[data-compose-error]");
    if (old) { old.remove(); }
    form.querySelectorAll(".field-error").forEach(function (p) { p.remove(); });
    var area = textarea(form);
    if (area) { area.removeAttribute("aria-invalid"); }
  }

  function showError(form, node) {
    clearError(form);
    var area = textarea(form);
    var error = node ? document.importNode(node, true) : document.createElement("p");
    if (!node) {
      error.className = "field-error";
      error.setAttribute("role", "alert");
      error.textContent = say("try_again", "That did not work. Your text is still here: please try again.");
    }
    error.setAttribute("data-compose-error", "");
    error.id = (area ? area.id : "form") + "-compose-error";
    var field = area ? area.closest(".field") : null;
    (field || form).appendChild(error);
    if (area) {
      area.setAttribute("aria-invalid", "true");
      var described = (area.getAttribute("aria-describedby") || "").split(" ").filter(function (id) {
        return id && document.getElementById(id);
      });
      if (described.indexOf(error.id) < 0) { described.push(error.id); }
      area.setAttribute("aria-describedby", described.join(" "));
      area.focus();
    }
  }

  // An answer that is not a fragment (a refusal page: banned, rate limited, logged out): its
  // heading and first paragraph say why.
  function refusal(doc) {
    var main = doc.querySelector("main") || doc.body;
    var p = document.createElement("p");
    p.className = "field-error";
    p.setAttribute("role", "alert");
    var title = main.querySelector("h1");
    var first = main.querySelector("p:not(.flash)");
    p.textContent = [title && title.textContent, first && first.textContent]
      .filter(Boolean).join(": ") || say("try_again", "That did not work. Your text is still here: please try again.");
    return p;
  }

  function showPreview(form, composed) {
    var fresh = composed.querySelector("[data-preview-slot]");
    var slot = form.querySelector("[data-preview-slot]");
    if (!fresh || !slot) { return; }
    var node = document.importNode(fresh, true);
    var prefix = (textarea(form) || form).id || "compose";
    node.querySelectorAll("[id]").forEach(function (el) { el.id = prefix + "-" + el.id; });
    node.querySelectorAll("[aria-labelledby]").forEach(function (el) {
      el.setAttribute("aria-labelledby", prefix + "-" + el.getAttribute("aria-labelledby"));
    });
    slot.replaceWith(node);
    var note = document.createElement("p");
    note.textContent = say("preview_ready", "The preview is below your text. Nothing is posted yet.");
    announce(note);
  }

  function resetPostForm(form, nonce) {
    var area = textarea(form);
    if (area) { area.value = ""; }
    var slot = form.querySelector("[data-preview-slot]");
    if (slot) { slot.textContent = ""; }
    var input = form.querySelector("input[name=post_nonce]");
    if (input && nonce) { input.value = nonce; }
  }

  function closeInline(form) {
    var opener = openers.get(form);
    var card = form.closest("article.comment");
    var body = card && card.querySelector(".comment-body[hidden]");
    if (body) { body.hidden = false; }
    form.remove();
    if (opener && document.contains(opener)) { opener.focus(); }
  }

  // --- where the changed comment goes ---------------------------------------------------------

  function placePost(form, card) {
    var item = card.closest("li.comment-item");
    var parentField = form.querySelector("input[name=parent_id]");
    if (parentField) {
      var parentId = parentField.value;
      var here = document.getElementById("comment-" + parentId);
      var there = card.ownerDocument.getElementById("comment-" + parentId);
      var hereItem = here && here.closest("li.comment-item");
      var thereItem = there && there.closest("li.comment-item");
      if (!hereItem || !thereItem || !thereItem.contains(card)) { return false; }
      hereItem.replaceWith(document.importNode(thereItem, true));  // the parent with its replies
      return true;
    }
    var list = document.querySelector("#comments ol.comments.top");
    if (list) {
      list.appendChild(document.importNode(item, true));
      return true;
    }
    var empty = document.querySelector("#comments p.empty");
    var freshList = item.parentNode.cloneNode(false);
    if (!empty) { return false; }
    freshList.appendChild(document.importNode(item, true));
    empty.replaceWith(freshList);
    return true;
  }

  function place(kind, form, composed, doc) {
    var id = composed.getAttribute("data-comment-id");
    var card = doc.getElementById("comment-" + id);
    var here = document.getElementById("comment-" + id);
    if (kind === "post") {
      resetPostForm(form, composed.getAttribute("data-nonce"));
      if (!card) {  // not shown to this reader (waiting for a moderator): the message says so
        if (form.classList.contains("inline-reply")) { closeInline(form); }
        return;
      }
      if (!placePost(form, card)) { window.location.href = composed.getAttribute("data-location"); return; }
    } else if (kind === "edit") {
      if (!card || !here) { window.location.href = composed.getAttribute("data-location"); return; }
      here.replaceWith(document.importNode(card, true));
    } else if (here) {  // delete: '[deleted]' stays above replies, else the comment leaves
      if (card) { here.replaceWith(document.importNode(card, true)); }
      else {
        var item = here.closest("li.comment-item");
        var parent = item && item.parentNode.closest("li.comment-item");
        (item || here).remove();
        focusCard(parent ? parent.querySelector("article.comment") : document.getElementById("comments-heading"));
        return;
      }
    }
    focusCard(document.getElementById("comment-" + id));
  }

  // --- sending a form -------------------------------------------------------------------------

  function kindOf(form) {
    if (form.matches("form.comment-form")) { return "post"; }
    if (form.matches("form[data-edit-form]")) { return "edit"; }
    if (form.matches("form[data-delete-form]")) { return "delete"; }
    return null;
  }

  function busy(form, on) {
    form.setAttribute("aria-busy", on ? "true" : "false");
    form.querySelectorAll("button[type=submit]").forEach(function (b) { b.disabled = on; });
  }

  document.addEventListener("submit", function (event) {
    var form = event.target;
    var kind = kindOf(form);
    if (!kind) { return; }
    var submitter = event.submitter;
    var previewing = !!submitter && submitter.name === "action" && submitter.value === "preview";
    event.preventDefault();
    var body = new URLSearchParams(new FormData(form));
    if (previewing) { body.set("action", "preview"); }
    var url = (previewing && submitter.getAttribute("formaction")) || form.getAttribute("action");
    busy(form, true);
    fetch(url.split("#")[0], { method: "POST", body: body, credentials: "same-origin", headers: HEADER })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var composed = parse(html).querySelector("[data-composed]");
        if (!composed) { showError(form, refusal(parse(html))); return null; }
        var error = composed.querySelector("[data-error]");
        if (error) { showError(form, error); return null; }
        clearError(form);
        if (previewing) { showPreview(form, composed); return null; }
        announce(composed.querySelector(".flash"));
        return fetch(composed.getAttribute("data-location").split("#")[0], {
          credentials: "same-origin", headers: { "Accept": "text/html" }
        }).then(function (response) { return response.text(); })
          .then(function (page) { place(kind, form, composed, parse(page)); });
      })
      .catch(function () { showError(form, null); })
      .then(function () { if (document.contains(form)) { busy(form, false); } });
  });

  // --- Edit and Delete open in the comment; Escape closes what was opened ---------------------

  document.addEventListener("click", function (event) {
    var link = event.target.closest("article.comment a[href]");
    if (!link) { return; }
    var match = /^\/comments\/(\d+)\/(edit|delete)$/.exec(link.getAttribute("href"));
    if (!match) { return; }
    var card = document.getElementById("comment-" + match[1]);
    if (!card || !card.contains(link)) { return; }
    event.preventDefault();
    var open = card.querySelector("form.inline-" + match[2]);
    if (open) { (open.querySelector("textarea, button[type=submit]") || open).focus(); return; }
    fetch(link.getAttribute("href"), { credentials: "same-origin", headers: { "Accept": "text/html" } })
      .then(function (response) {
        if (!response.ok) { throw new Error(String(response.status)); }
        return response.text();
      })
      .then(function (html) {
        var found = parse(html).querySelector(match[2] === "edit" ? "form[data-edit-form]" : "form[data-delete-form]");
        if (!found) { throw new Error("no form"); }
        var form = document.importNode(found, true);
        form.classList.add("inline-" + match[2]);
        openers.set(form, link);
        var cancel = form.querySelector("[data-cancel]");
        if (cancel) {
          cancel.addEventListener("click", function (e) { e.preventDefault(); closeInline(form); });
        }
        var body = card.querySelector(".comment-body");
        if (match[2] === "edit" && body) { body.hidden = true; body.after(form); }
        else { card.appendChild(form); }
        (form.querySelector("textarea") || form.querySelector("button[type=submit]")).focus();
      })
      .catch(function () { window.location.href = link.href; });
  });

  document.addEventListener("keydown", function (event) {
    if (event.key !== "Escape" || event.defaultPrevented) { return; }
    var form = event.target.closest && event.target.closest("form.inline-reply, form.inline-edit, form.inline-delete");
    if (!form) { return; }
    event.preventDefault();
    if (form.classList.contains("inline-reply")) {
      // thread.js opened it: its Cancel button closes it and gives focus back to "Reply".
      var cancel = form.querySelector("button[data-cancel-reply]");
      if (cancel) { cancel.click(); } else { form.remove(); }
      return;
    }
    closeInline(form);
  });

  // "Add a comment" at the top of the thread: to the form at its end, ready to type.
  document.addEventListener("click", function (event) {
    var jump = event.target.closest("a[data-compose-jump]");
    if (!jump) { return; }
    var form = document.querySelector("form.comment-form[data-comment-form]");
    if (!form) { return; }
    event.preventDefault();
    var first = form.querySelector("input[name=author_name]") || textarea(form);
    form.scrollIntoView({ block: "center" });
    if (first) { first.focus({ preventScroll: true }); }
  });
})();
