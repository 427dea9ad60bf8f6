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
})();
