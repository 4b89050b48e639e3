// @mention suggestions in comment boxes: typing "@jo" offers the usernames that start with
// "jo" (GET /api/users/suggestions, logged-in readers only). A small listbox under the box:
// Up/Down move, Enter or Tab choose, Escape closes; a click chooses too. Without this file
// "@name" is simply typed out, and is linked when the comment is saved all the same.
(function () {
  "use strict";
  // Our words in the page's language: texts.js, which base.html loads before this file.
  var forumTexts = window.forumTexts;
  var say = forumTexts.say, sayCount = forumTexts.sayCount;
  if (!window.fetch) { return; }
  var TYPED = /(^|[^A-Za-z0-9_.@\/+-])@([A-Za-z0-9_-]{1,30})$/;
  var WAIT_MS = 150;
  var cache = {};
  var state = null;  // {area, items, active, start, timer}
  var off = false;   // the server said no (logged out): stop asking
  var list = null;   // one listbox for the page, put under the box being typed in
  var status = null; // one live region for the page, read by screen readers

  function commentBox(target) {
    return target && target.tagName === "TEXTAREA" && target.name === "body" && target.form ? target : null;
  }

  function typedName(area) {
    if (area.selectionStart !== area.selectionEnd) { return null; }
    var before = area.value.slice(0, area.selectionStart);
    var match = TYPED.exec(before);
    return match ? { prefix: match[2], start: before.length - match[2].length - 1 } : null;
  }

  // The list waits at the end of the page while closed, so that a reply form copied from a
  // comment form (thread.js) never copies it.
  function attach(area) {
    if (!list) {
      list = document.createElement("ul");
      list.id = "mention-suggestions";
      list.className = "mention-suggestions";
      list.setAttribute("role", "listbox");
      list.setAttribute("aria-label", say("mention_list", "People to mention"));
      list.hidden = true;
      status = document.createElement("p");
      status.className = "visually-hidden";
      status.setAttribute("role", "status");
      document.body.appendChild(status);
      document.body.appendChild(list);
    }
    area.setAttribute("aria-autocomplete", "list");
    area.setAttribute("aria-controls", list.id);
  }

  function close() {
    if (!state) { return; }
    window.clearTimeout(state.timer);
    list.hidden = true;
    list.textContent = "";
    document.body.appendChild(list);
    state.area.removeAttribute("aria-activedescendant");
    state.items = [];
    state.active = -1;
  }

  function highlight(index) {
    state.items.forEach(function (item, i) {
      item.setAttribute("aria-selected", i === index ? "true" : "false");
    });
    state.active = index;
    if (index >= 0) {
      state.area.setAttribute("aria-activedescendant", state.items[index].id);
      state.items[index].scrollIntoView({ block: "nearest" });
    } else {
      state.area.removeAttribute("aria-activedescendant");
    }
  }

  function choose(index) {
    var item = state.items[index];
    if (!item) { return; }
    var area = state.area;
    var name = item.getAttribute("data-username");
    var end = area.selectionStart;
    var text = "@" + name + " ";
    area.value = area.value.slice(0, state.start) + text + area.value.slice(end);
    var caret = state.start + text.length;
    area.setSelectionRange(caret, caret);
    status.textContent = say("mention_added", "{name} added.", { name: "@" + name });
    close();
    area.focus();
  }

  function show(found) {
    list.textContent = "";
    state.area.insertAdjacentElement("afterend", list);
    state.items = found.map(function (person, i) {
      var item = document.createElement("li");
      item.id = list.id + "-" + i;
      item.setAttribute("role", "option");
      item.setAttribute("aria-selected", "false");
      item.setAttribute("data-username", person.username);
      var handle = document.createElement("span");
      handle.className = "mention-handle";
      handle.textContent = "@" + person.username;
      item.appendChild(handle);
      if (person.name && person.name !== person.username) {
        item.appendChild(document.createTextNode(" " + person.name));
      }
      item.addEventListener("mousedown", function (event) {
        event.preventDefault();  // keep the focus (and the caret) in the box
        choose(i);
      });
      list.appendChild(item);
      return item;
    });
    list.hidden = found.length === 0;
    state.active = -1;
    status.textContent = found.length
      ? sayCount("mention_found", "{num} person to mention: Up and Down to pick, Enter to choose.",
        "{num} people to mention: Up and Down to pick, Enter to choose.", found.length, {})
      : "";
    if (found.length) { highlight(0); }
  }

  function ask(prefix) {
    var key = prefix.toLowerCase();
    if (cache[key]) { return Promise.resolve(cache[key]); }
    return fetch("/api/users/suggestions?q=" + encodeURIComponent(prefix), {
      credentials: "same-origin",
      headers: { "Accept": "application/json" }
    }).then(function (response) {
      if (response.status === 401 || response.status === 403) { off = true; }
      if (!response.ok) { return []; }
      return response.json().then(function (found) { cache[key] = found; return found; });
    });
  }

  document.addEventListener("input", function (event) {
    var area = commentBox(event.target);
    if (!area || off) { return; }
    var typed = typedName(area);
    if (!typed) { close(); return; }
    attach(area);
    if (state && state.area !== area) { close(); }
    state = state && state.area === area ? state : { area: area, items: [], active: -1 };
    state.start = typed.start;
    window.clearTimeout(state.timer);
    var mine = state;
    mine.timer = window.setTimeout(function () {
      ask(typed.prefix).then(function (people) {
        var now = typedName(area);
        if (state === mine && now && now.prefix === typed.prefix) { show(people); }
      }).catch(close);
    }, WAIT_MS);
  });

  document.addEventListener("keydown", function (event) {
    if (!state || event.target !== state.area || list.hidden) { return; }
    var count = state.items.length;
    if (event.key === "ArrowDown" || event.key === "ArrowUp") {
      event.preventDefault();
      var step = event.key === "ArrowDown" ? 1 : -1;
      highlight((state.active + step + count) % count);
    } else if ((event.key === "Enter" || event.key === "Tab") && state.active >= 0) {
      event.preventDefault();
      choose(state.active);
    } else if (event.key === "Escape") {
      event.preventDefault();
      event.stopPropagation();  // closes the list, not the form around it
      close();
    }
  }, true);

  document.addEventListener("focusout", function (event) {
    if (state && event.target === state.area) { close(); }
  });
})();
