// Follows a running scan: every 2 seconds the results part of this page is fetched again and swapped in,
// until the scan is done. The status line is a live region, so screen readers hear the progress.
(function () {
  "use strict";
  var live = document.getElementById("scan-live");
  if (!live || live.getAttribute("data-running") !== "1") { return; }
  function poll() {
    fetch(window.location.href, { headers: { "Accept": "text/html" }, credentials: "same-origin", cache: "no-store" })
      .then(function (response) { return response.text(); })
      .then(function (html) {
        var next = new DOMParser().parseFromString(html, "text/html").getElementById("scan-live");
        if (!next) { return; }
        live.replaceWith(next);
        live = next;
        if (next.getAttribute("data-running") === "1") { window.setTimeout(poll, 2000); }
      })
      .catch(function () { window.setTimeout(poll, 5000); });
  }
  window.setTimeout(poll, 2000);
}());
