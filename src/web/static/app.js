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
