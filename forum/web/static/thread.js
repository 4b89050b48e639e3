// Progressive enhancement of the thread: reply forms open in place instead of on a new page,
// rails fold threads, folds are remembered (with consent), times read "5 minutes ago".
// Without this file every link and form still works.
(function () {
  "use strict";
  // Our words in the page's language: texts.js, which base.html loads before this file.
  var forumTexts = window.forumTexts;
  var say = forumTexts.say, sayCount = forumTexts.sayCount, LANG = forumTexts.lang;
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
    if (label) { label.textContent = say("reply_label", "Your reply"); }
    var button = form.querySelector("button[type=submit]");
    if (button) { button.textContent = say("reply_button", "Post reply"); }
    var cancel = document.createElement("button");
    cancel.type = "button"; cancel.className = "secondary"; cancel.textContent = say("cancel", "Cancel");
    cancel.setAttribute("data-cancel-reply", "");  // compose.js: Escape presses it
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
  // Who answers whom, folding, relative times: see templates/comments/_thread.html.
  var script = document.currentScript;
  var remember = !!(script && script.hasAttribute("data-remember-folds"));
  var FOLDS = "forum.folds";  // localStorage, only with consent to preferences (cookie table)
  var FOLD_DAYS = 365;
  var MAX_THREADS = 100;

  function readFolds() {
    try { return JSON.parse(window.localStorage.getItem(FOLDS) || "{}") || {}; } catch (e) { return {}; }
  }

  function threadKey(el) {
    var section = el.closest("[data-thread]");
    return section ? section.getAttribute("data-thread") : null;
  }

  function saveFold(details) {
    var key = threadKey(details);
    if (!remember || !key) { return; }
    var all = readFolds();
    var entry = all[key] || { ids: [] };
    var id = details.getAttribute("data-fold");
    entry.ids = entry.ids.filter(function (x) { return x !== id; });
    if (!details.open) { entry.ids.push(id); }
    entry.t = Date.now();
    if (entry.ids.length) { all[key] = entry; } else { delete all[key]; }
    var limit = Date.now() - FOLD_DAYS * 864e5;
    var keys = Object.keys(all).filter(function (k) { return all[k].t > limit; });
    keys.sort(function (a, b) { return all[b].t - all[a].t; });
    var kept = {};
    keys.slice(0, MAX_THREADS).forEach(function (k) { kept[k] = all[k]; });
    try { window.localStorage.setItem(FOLDS, JSON.stringify(kept)); } catch (e) { /* full or off */ }
  }

  function restoreFolds(root) {
    if (!remember) {
      try { window.localStorage.removeItem(FOLDS); } catch (e) { /* storage off */ }
      return;
    }
    var first = root.matches && root.matches("details.fold") ? root : root.querySelector("details.fold");
    var entry = first && threadKey(first) && readFolds()[threadKey(first)];
    if (!entry) { return; }
    entry.ids.forEach(function (id) {
      var details = root.querySelector("details.fold[data-fold='" + String(id).replace(/\D/g, "") + "']");
      if (details) { details.open = false; }
    });
  }

  // "Fold the thread of Bob (4 comments)": the count is the fold's own (data-count), so the
  // words around it come from our texts, not from the summary's English.
  function railLabel(details) {
    var author = details.querySelector(":scope > summary .folded-author");
    var count = details.querySelector(":scope > summary .folded-count[data-count]");
    var values = { name: author ? author.textContent : "" };
    if (!count) { return say("fold_rail_plain", "Fold the thread of {name}", values); }
    var n = Number(count.getAttribute("data-count"));
    return count.hasAttribute("data-at-least")
      ? sayCount("fold_rail_at_least", "Fold the thread of {name} (at least {num} comment)",
        "Fold the thread of {name} (at least {num} comments)", n, values)
      : sayCount("fold_rail", "Fold the thread of {name} ({num} comment)",
        "Fold the thread of {name} ({num} comments)", n, values);
  }

  function addRails(root) {
    root.querySelectorAll("details.fold > .replies").forEach(function (replies) {
      if (replies.querySelector(":scope > button.rail")) { return; }
      var details = replies.parentNode;
      var rail = document.createElement("button");
      rail.type = "button";
      rail.className = "rail";
      rail.setAttribute("aria-expanded", details.open ? "true" : "false");
      rail.setAttribute("aria-label", railLabel(details));
      rail.addEventListener("click", function () {
        details.open = false;
        details.querySelector(":scope > summary").focus();
      });
      replies.insertBefore(rail, replies.firstChild);
    });
  }

  // A fold toggled by its summary, its rail or a restore: keep the rail's state and remember it.
  document.addEventListener("toggle", function (event) {
    var details = event.target;
    if (!details.matches || !details.matches("details.fold")) { return; }
    var rail = details.querySelector(":scope > .replies > button.rail");
    if (rail) { rail.setAttribute("aria-expanded", details.open ? "true" : "false"); }
    saveFold(details);
  }, true);

  // A link to a comment inside a folded thread unfolds the way to it.
  function reveal() {
    var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
    for (var el = target && target.parentNode; el; el = el.parentNode) {
      if (el.matches && el.matches("details.fold") && !el.open) { el.open = true; }
    }
  }
  window.addEventListener("hashchange", reveal);

  var UNITS = [["year", 31536e3], ["month", 2592e3], ["week", 604800], ["day", 86400], ["hour", 3600], ["minute", 60]];
  var RELATIVE = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(LANG) : null;

  // "5 minutes ago" as the page's language says it (the browser's CLDR data, no catalogue).
  function relative(when, now) {
    var seconds = Math.round((now - when) / 1000);
    for (var i = 0; seconds >= 60 && i < UNITS.length; i++) {
      var n = Math.floor(seconds / UNITS[i][1]);
      if (n >= 1) {
        var unit = UNITS[i][0];
        return RELATIVE ? RELATIVE.format(-n, unit) : n + " " + unit + (n === 1 ? "" : "s") + " ago";
      }
    }
    return say("just_now", "just now");
  }

  // Times are written as dates (the visitor's page is cached for everyone); here they read
  // "5 minutes ago", the exact date staying in the title and the datetime attribute.
  function relativeTimes(root) {
    var now = Date.now();
    root.querySelectorAll(".comment-meta time[datetime]").forEach(function (time) {
      var when = Date.parse(time.getAttribute("datetime"));
      if (isNaN(when)) { return; }
      if (!time.title) { time.title = time.textContent; }
      time.textContent = relative(when, now);
    });
  }

  function enhance(root) {
    restoreFolds(root);
    addRails(root);
    relativeTimes(root);
  }

  enhance(document);
  var target = window.location.hash && document.getElementById(window.location.hash.slice(1));
  reveal();
  if (target && remember) { target.scrollIntoView(); }  // folds restored above it moved it
  window.setInterval(function () { relativeTimes(document); }, 60000);

  // Comments put in later (live updates, "more replies") get the same treatment.
  if (window.MutationObserver) {
    new MutationObserver(function (records) {
      records.forEach(function (record) {
        record.addedNodes.forEach(function (node) {
          if (node.nodeType === 1 && node.querySelector("details.fold, time[datetime]")) { enhance(node); }
        });
      });
    }).observe(document.body, { childList: true, subtree: true });
  }
})();
