// The launch form on a tutorial page: send it without reloading the page. A refused launch
// (bad parameters, a quota) swaps in the form the server rendered, with its error summary, and
// moves the learner's eyes and focus there; an accepted one goes on to the run page. Without
// this script the form posts as usual and the answer opens at the form (its action is #launch).
(function () {
  "use strict";

  function showSummary() {
    var summary = document.getElementById("launch-errors");
    if (!summary) return;
    summary.scrollIntoView({ block: "start" });
    summary.focus({ preventScroll: true });
  }

  function bind(form) {
    form.addEventListener("submit", function (event) {
      if (!window.fetch || !window.DOMParser || !window.FormData) return;
      event.preventDefault();
      var button = form.querySelector("button[type=submit]");
      if (button) button.disabled = true;
      fetch(form.action, { method: "POST", body: new FormData(form), credentials: "same-origin" })
        .then(function (response) {
          if (response.redirected || response.ok) {
            // Read the run page the redirect brought before going there: leaving with its body
            // still in flight makes the browser abort that request.
            return response.text().then(function () {
              window.location.assign(response.url);
              return null;
            });
          }
          return response.text();
        })
        .then(function (html) {
          if (html === null) return;
          var parsed = new DOMParser().parseFromString(html, "text/html").getElementById("launch-form");
          if (!parsed) { form.submit(); return; }
          var fresh = document.importNode(parsed, true);
          form.replaceWith(fresh);
          bind(fresh);
          showSummary();
        })
        .catch(function () { form.submit(); });
    });
  }

  var form = document.getElementById("launch-form");
  if (form) bind(form);
})();
