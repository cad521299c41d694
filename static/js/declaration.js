// The declaration's staff pages: one button opens or closes every paragraph's sources.
(function () {
  "use strict";
  function init() {
    var button = document.querySelector("[data-toggle-sources]");
    if (!button) return;
    var all = document.querySelectorAll("details.sources");
    if (!all.length) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      var open = !Array.prototype.every.call(all, function (d) { return d.open; });
      Array.prototype.forEach.call(all, function (d) { d.open = open; });
    });
  }
  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", init);
  else init();
})();
