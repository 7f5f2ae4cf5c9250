// Tonläge: small progressive enhancements only; every page works without this file.
"use strict";
document.addEventListener("keydown", function (e) {
  // "/" jumps to the search box, as on many sites, unless the person is typing somewhere.
  var t = e.target;
  var typing = t && (t.tagName === "INPUT" || t.tagName === "TEXTAREA" || t.tagName === "SELECT" || t.isContentEditable);
  if (e.key === "/" && !typing) {
    var q = document.getElementById("q");
    if (q) { e.preventDefault(); q.focus(); q.select(); }
  }
});
document.documentElement.classList.add("js");
// Forms that remove something ask first; the question is in the page's language (data-confirm).
document.addEventListener("submit", function (e) {
  var question = e.target && e.target.getAttribute("data-confirm");
  if (question && !window.confirm(question)) { e.preventDefault(); }
});
