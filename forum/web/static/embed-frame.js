/* Inside a thread framed on a registered site.
   1. Tell the embedding page our height, to its exact origin only (data-parent, checked by the
      server against the site's origins).
   2. Sign in although the browser keeps our cookies from the frame (docs/embedding.md): a popup
      on the forum posts back a ticket (accepted from that popup, on our own origin, with the
      nonce we gave it); we trade it for a session whose id lives in this script's memory only
      and goes with every request in the X-Forum-Frame-Session header. Forms are then sent from
      here with that header, and the thread is fetched afresh.
   3. The compact consent banner: its choice is sent from here too (saved on the account when
      signed in; for a visitor, logged and applied to this visit, as no cookie can keep it). */
(function () {
  "use strict";
  var root = document.documentElement;
  var parentOrigin = root.getAttribute("data-parent");
  var main = document.getElementById("main");
  var HEADER = "X-Forum-Frame-Session";
  var session = null;
  var popup = null;
  var nonce = null;

  var last = -1;
  function send() {
    if (!parentOrigin || window.parent === window) return;
    var height = Math.ceil(root.getBoundingClientRect().height);
    if (height === last) return;
    last = height;
    window.parent.postMessage(
      { type: "forum:height", height: height, title: root.getAttribute("data-frame-title") },
      parentOrigin
    );
  }
  if (window.ResizeObserver) new ResizeObserver(send).observe(root);
  window.addEventListener("load", send);
  send();

  if (!main || !window.fetch || !window.crypto) return;
  var site = main.getAttribute("data-site");

  function randomNonce() {
    var bytes = new Uint8Array(24);
    window.crypto.getRandomValues(bytes);
    return Array.prototype.map.call(bytes, function (b) {
      return ("0" + b.toString(16)).slice(-2);
    }).join("");
  }

  function call(url, init) {
    init = init || {};
    init.headers = init.headers || {};
    init.headers[HEADER] = session || "new";
    init.credentials = "omit";
    return fetch(url, init);
  }

  /* A form's fields, posted with the session (and any other headers). */
  function postForm(url, body, headers) {
    headers = headers || {};
    headers["Content-Type"] = "application/x-www-form-urlencoded";
    return call(url, { method: "POST", headers: headers, body: body });
  }

  function parse(text) {
    return new DOMParser().parseFromString(text, "text/html");
  }

  /* What only works with this script: the sign-in button, the consent choices. */
  function reveal() {
    var offer = main.querySelector("[data-frame-signin]");
    if (offer) offer.hidden = false;
    var choices = main.querySelector("[data-frame-consent-choices]");
    if (choices) choices.hidden = false;
  }

  function chooseConsent(form, body) {
    return postForm("/cookies", body, { "Accept": "application/json" }).then(function (response) {
      if (!response.ok) throw new Error("refused");
      if (session) return refresh();
      form.querySelector("[data-frame-consent-choices]").hidden = true;
      form.querySelector("[data-frame-consent-done]").hidden = false;
      send();
    });
  }

  function signinFailed() {
    var error = main.querySelector("[data-frame-signin-error]");
    if (error) error.hidden = false;
  }

  /* The thread again, as this session sees it; a session ended elsewhere is forgotten. */
  function refresh(message) {
    return call(location.href).then(function (response) {
      return response.text();
    }).then(function (text) {
      var fresh = parse(text).getElementById("main");
      if (!fresh) return;
      main.innerHTML = fresh.innerHTML;
      if (!main.querySelector("[data-frame-signed-in]")) session = null;
      reveal();
      if (message) main.insertBefore(message, main.firstChild);
      window.scrollTo(0, 0); /* the frame is as tall as its content: nothing to scroll to */
      send();
    });
  }

  main.addEventListener("click", function (event) {
    var button = event.target.closest("[data-frame-signin-button]");
    if (button) {
      nonce = randomNonce();
      var via = main.getAttribute("data-signin");
      popup = window.open("/embed/" + encodeURIComponent(site) + "/signin?nonce=" + nonce +
        (via ? "&signin=" + encodeURIComponent(via) : ""), "forum-signin", "popup,width=520,height=720");
      if (!popup) signinFailed();
      return;
    }
    var reply = session && event.target.closest("[data-reply-to]");
    if (reply) {
      event.preventDefault();
      openReply(reply.getAttribute("data-reply-to"));
    }
  });

  window.addEventListener("message", function (event) {
    if (event.origin !== location.origin || !popup || event.source !== popup) return;
    var data = event.data;
    if (!data || data.type !== "forum:signin" || typeof data.ticket !== "string") return;
    if (!nonce || data.nonce !== nonce) return;
    var sent = nonce;
    popup = null;
    nonce = null;
    call("/embed/" + encodeURIComponent(site) + "/session", {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ ticket: data.ticket, nonce: sent })
    }).then(function (response) {
      var id = response.headers.get(HEADER);
      if (!response.ok || !id) throw new Error("refused");
      session = id;
      return refresh();
    }).catch(signinFailed);
  });

  /* The reply form, as the comment's reply page has it, under the comment. */
  function openReply(commentId) {
    call("/comments/" + encodeURIComponent(commentId) + "/reply").then(function (response) {
      return response.text();
    }).then(function (text) {
      var form = parse(text).querySelector("form[data-comment-form]");
      var comment = document.getElementById("comment-" + commentId);
      if (!form || !comment) return;
      var open = main.querySelector("[data-frame-reply]");
      if (open) open.parentNode.removeChild(open);
      form.setAttribute("data-frame-reply", commentId);
      comment.parentNode.insertBefore(form, comment.nextSibling);
      var body = form.querySelector("textarea");
      if (body) body.focus({ preventScroll: true });
      send();
    });
  }

  function showIn(form, node) {
    var slot = form.querySelector("[data-frame-answer]");
    if (!slot) {
      slot = document.createElement("div");
      slot.setAttribute("data-frame-answer", "");
      form.insertBefore(slot, form.firstChild);
    }
    slot.innerHTML = "";
    if (node) slot.appendChild(node);
    send();
  }

  /* A comment or reply: posted here, answered by the compose fragment (what happened). */
  function compose(form, url, body) {
    return postForm(url, body, { "X-Forum-Compose": "1" }).then(function (response) {
      return response.text();
    }).then(function (text) {
      var answer = parse(text).querySelector("[data-composed]");
      if (!answer) throw new Error("no answer");
      var nonceField = form.querySelector("input[name=post_nonce]");
      if (nonceField && answer.getAttribute("data-nonce")) {
        nonceField.value = answer.getAttribute("data-nonce");
      }
      var preview = answer.querySelector("[data-preview-slot]");
      if (answer.querySelector("[data-error]") || preview) {
        var slot = form.querySelector("[data-preview-slot]");
        if (preview && slot) slot.innerHTML = preview.innerHTML;
        showIn(form, answer.querySelector("[data-error]"));
        return null;
      }
      answer.removeAttribute("data-nonce");
      return refresh(answer);
    });
  }

  main.addEventListener("submit", function (event) {
    var form = event.target;
    var consent = form.hasAttribute("data-frame-consent");
    if (!session && !consent) return;
    event.preventDefault();
    var submitter = event.submitter || null;
    /* getAttribute: form.action is the field named "action" where there is one (Preview). */
    var url = submitter && submitter.hasAttribute("formaction") ?
      submitter.getAttribute("formaction") : form.getAttribute("action") || location.href;
    var body = new URLSearchParams(new FormData(form, submitter));
    var done;
    if (consent) {
      done = chooseConsent(form, body);
    } else if (form.hasAttribute("data-comment-form")) {
      done = compose(form, url, body);
    } else {
      done = postForm(url, body).then(function () { return refresh(); });
    }
    done.catch(function () { refresh(); });
  });

  reveal();
})();
