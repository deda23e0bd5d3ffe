/* First-party attribution, no cookies: the first page of this visit, the
   external site that sent the visitor and utm_* tags are kept in
   sessionStorage (this tab only, gone when it closes) and copied into the
   hidden fields of an admissions form. Public pages stay cacheable. */
(function () {
  "use strict";
  var KEY = "sheer.attribution";
  var UTM = ["utm_source", "utm_medium", "utm_campaign", "utm_term", "utm_content"];
  var stored = null;
  try {
    stored = JSON.parse(window.sessionStorage.getItem(KEY) || "null");
    if (!stored) {
      var params = new URLSearchParams(window.location.search);
      var referrer = "";
      try {
        if (document.referrer && new URL(document.referrer).host !== window.location.host) {
          referrer = document.referrer;
        }
      } catch (e) { referrer = ""; }
      stored = { landing_page: window.location.href.slice(0, 500), referrer: referrer.slice(0, 500) };
      UTM.forEach(function (name) { stored[name] = (params.get(name) || "").slice(0, 100); });
      window.sessionStorage.setItem(KEY, JSON.stringify(stored));
    }
  } catch (e) {
    return; // storage blocked: the form falls back to what the server saw
  }
  function fill() {
    var forms = document.querySelectorAll("form[data-attribution]");
    Array.prototype.forEach.call(forms, function (form) {
      Object.keys(stored).forEach(function (name) {
        var input = form.querySelector('input[type="hidden"][name="' + name + '"]');
        if (input && stored[name]) { input.value = stored[name]; }
      });
    });
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", fill);
  } else {
    fill();
  }
})();
