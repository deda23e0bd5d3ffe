// The pre-admission screening page: show the crisis protocol as soon as a
// suicide-risk answer is "Yes" (or declined), without waiting for the save.
// The server renders the same protocol on save, so the page works without this.
(function () {
  "use strict";
  const form = document.querySelector("[data-screening-form]");
  const protocol = document.getElementById("crisis-protocol");
  if (!form || !protocol) {
    return;
  }
  const acute = document.getElementById("crisis-acute");
  const questions = (form.dataset.asq || "").split(" ").filter(Boolean);
  const acuity = form.dataset.asqAcuity;
  const positive = new Set(["yes", "declined"]);

  function answer(name) {
    const checked = form.querySelector('input[name="' + name + '"]:checked');
    return checked ? checked.value : "";
  }

  function update() {
    const isAcute = positive.has(answer(acuity));
    if (isAcute || questions.some((name) => positive.has(answer(name)))) {
      protocol.hidden = false;
    }
    if (isAcute && acute) {
      acute.hidden = false;
    }
  }

  form.addEventListener("change", update);
  update();
})();
