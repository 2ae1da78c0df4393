// Wagtail's date/time choosers are initialised by inline scripts, which our Content-Security-Policy
// forbids. Our widget templates emit the configuration as inert JSON instead; this file applies it.
(function () {
  "use strict";
  var choosers = ["initDateChooser", "initDateTimeChooser", "initTimeChooser"];
  function apply(root) {
    root.querySelectorAll('script[type="application/json"][data-dtc-chooser]').forEach(function (node) {
      var name = node.getAttribute("data-dtc-chooser");
      if (choosers.indexOf(name) === -1 || typeof window[name] !== "function" || node.dataset.dtcDone) {
        return;
      }
      node.dataset.dtcDone = "1";
      window[name](node.getAttribute("data-dtc-target"), JSON.parse(node.textContent || "{}"));
    });
  }
  document.addEventListener("DOMContentLoaded", function () {
    apply(document);
    // Panels and modals added later (e.g. the scheduling dialog) bring their own widgets.
    new MutationObserver(function () { apply(document); }).observe(document.body, { childList: true, subtree: true });
  });
})();
