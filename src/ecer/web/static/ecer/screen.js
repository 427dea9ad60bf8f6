// The big screen (大屏): every data-refresh-seconds the panels are fetched again and swapped in
// whole, so nothing accumulates in the page however long it runs. A failed fetch keeps the
// last panels and marks the screen stale; a lapsed sign-in reloads the page (to the login).
(function () {
  "use strict";
  var panels = document.getElementById("panels");
  if (!panels) { return; }
  var url = panels.getAttribute("data-refresh-url");
  var every = Math.max(2, Number(panels.getAttribute("data-refresh-seconds")) || 30) * 1000;
  var busy = false;
  function refresh() {
    if (busy) { return; }
    busy = true;
    fetch(url, { credentials: "same-origin", cache: "no-store" })
      .then(function (response) {
        if (response.redirected) { window.location.reload(); return null; }
        if (!response.ok) { throw new Error("HTTP " + response.status); }
        return response.text();
      })
      .then(function (html) {
        if (html === null) { return; }
        panels.innerHTML = html;
        panels.setAttribute("data-refreshed", String(Number(panels.getAttribute("data-refreshed")) + 1));
        document.body.classList.remove("stale");
      })
      .catch(function () { document.body.classList.add("stale"); })
      .then(function () { busy = false; });
  }
  window.setInterval(refresh, every);
})();
