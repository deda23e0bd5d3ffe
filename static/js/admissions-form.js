/* Admissions forms: small improvements on top of forms that work without
   JavaScript. Moves focus to the error summary; makes its links focus the
   field; shows the "loved one", "policy holder" and "insurance company name"
   questions only when they apply (they are visible with hints when
   JavaScript is off). */
(function () {
  "use strict";
  var summary = document.getElementById("error-summary");
  if (summary) {
    summary.focus();
    summary.addEventListener("click", function (event) {
      var link = event.target.closest("a[href^='#']");
      if (!link) { return; }
      var field = document.getElementById(link.getAttribute("href").slice(1));
      if (!field) { return; }
      event.preventDefault();
      var wrapper = field.closest("fieldset") || field.closest(".mb-3") || field;
      wrapper.scrollIntoView();
      field.focus({ preventScroll: true });
    });
  }

  function toggle(name, showValue, sectionId) {
    // Radio buttons, or one <select>, named `name`.
    var radios = document.querySelectorAll('input[name="' + name + '"], select[name="' + name + '"]');
    var section = document.getElementById(sectionId);
    if (!radios.length || !section) { return; }
    function update() {
      var chosen = document.querySelector('input[name="' + name + '"]:checked, select[name="' + name + '"]');
      var show = (chosen && chosen.value === showValue) || section.querySelector(".is-invalid") ||
        (section.querySelector("input") && section.querySelector("input").value);
      section.hidden = !show;
    }
    Array.prototype.forEach.call(radios, function (radio) { radio.addEventListener("change", update); });
    update();
  }
  toggle("who_needs_help", "loved_one", "div_id_caller_relation");
  toggle("policy_holder", "someone_else", "policy-holder-details");
  toggle("carrier", "other", "div_id_carrier_other");
})();
