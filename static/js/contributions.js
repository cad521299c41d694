// The contribution form: how many characters are left (the server checks the limit too).
(function () {
  "use strict";
  var counter = document.getElementById("text-counter");
  var text = document.getElementById("id_text");
  if (!counter || !text) {
    return;
  }
  var max = parseInt(counter.getAttribute("data-max"), 10);
  var template = counter.getAttribute("data-template") || "%(left)s / %(max)s";
  function update() {
    var left = max - text.value.length;
    counter.textContent = template.replace("%(left)s", left).replace("%(max)s", max);
  }
  counter.hidden = false;
  text.addEventListener("input", update);
  update();
})();
