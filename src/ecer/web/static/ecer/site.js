// Behaviour shared by every page, kept out of the HTML so that the Content-Security-Policy
// can forbid inline scripts (docs/security.md): a control marked data-autosubmit submits its
// form when changed (year, status and language choosers).
(function () {
  "use strict";
  document.addEventListener("change", function (event) {
    var control = event.target;
    if (control && control.form && control.hasAttribute("data-autosubmit")) {
      control.form.submit();
    }
  });

  // A table wider than the phone scrolls inside its card: the card is then reachable with
  // the keyboard (tab to it, arrow keys scroll it), as WCAG 2.1.1 asks.
  function focusableScrollers() {
    document.querySelectorAll(".card, .scroll").forEach(function (el) {
      if (el.scrollWidth > el.clientWidth + 1) {
        el.tabIndex = 0;
      } else if (el.tabIndex === 0 && !el.hasAttribute("data-keep-tabindex")) {
        el.removeAttribute("tabindex");
      }
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
})();
