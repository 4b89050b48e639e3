// Our words in the page's language, for our other scripts: base.html's #forum-texts block
// (forum/web/script_texts.py), read once. base.html loads this file just after that block and
// before the deferred scripts that use it; without the block each text is said in its English.
(function () {
  "use strict";
  var lang = document.documentElement.lang || "en";
  var texts = {};
  try { texts = JSON.parse(document.getElementById("forum-texts").textContent) || {}; } catch (e) { /* English */ }
  function fill(text, values) {
    return String(text).replace(/\{(\w+)\}/g, function (all, name) { return name in values ? values[name] : all; });
  }
  window.forumTexts = {
    lang: lang,
    say: function (key, english, values) { return fill(texts[key] || english, values || {}); },
    sayCount: function (key, one, other, n, values) {
      var forms = texts[key] || {};
      var category = window.Intl && Intl.PluralRules ? new Intl.PluralRules(lang).select(n) : (n === 1 ? "one" : "other");
      values.num = window.Intl ? new Intl.NumberFormat(lang).format(n) : String(n);
      return fill(forms[category] || forms.other || (n === 1 ? one : other), values);
    }
  };
})();
