// Copy buttons for the handover page. Without JavaScript the fields stay selectable.
(function () {
  "use strict";
  var status = document.getElementById("copy-status");
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var field = document.getElementById(button.getAttribute("data-copy"));
    if (!field || !navigator.clipboard) { return; }
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(field.value).then(function () {
        if (status) { status.textContent = status.getAttribute("data-copied"); }
      }, function () {
        field.select();
      });
    });
  });
})();
