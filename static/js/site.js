/* Progressive enhancement only: every page works without this file.
   - [data-local-time="ISO"]: show the instant in the reader's own time zone.
   - [data-countdown="ISO"]: a live countdown to the instant, updated every second. */
(function () {
  "use strict";
  var body = document.body;
  var labels = {
    closed: body.getAttribute("data-label-closed") || "closed",
    days: body.getAttribute("data-label-days") || "d",
    local: body.getAttribute("data-label-local") || "Your time:"
  };
  var lang = document.documentElement.lang || undefined;

  function formatLocal(date) {
    try {
      return new Intl.DateTimeFormat(lang, {
        year: "numeric", month: "short", day: "numeric",
        hour: "2-digit", minute: "2-digit", timeZoneName: "short"
      }).format(date);
    } catch (e) {
      return date.toString();
    }
  }

  document.querySelectorAll("[data-local-time]").forEach(function (el) {
    var date = new Date(el.getAttribute("data-local-time"));
    if (isNaN(date)) { return; }
    el.textContent = labels.local + " " + formatLocal(date);
    el.hidden = false;
  });

  var countdowns = Array.prototype.slice.call(document.querySelectorAll("[data-countdown]"));
  countdowns.forEach(function (el) { el.setAttribute("aria-live", "off"); });

  function pad(n) { return n < 10 ? "0" + n : String(n); }

  function tick() {
    var now = Date.now();
    countdowns.forEach(function (el) {
      var target = Date.parse(el.getAttribute("data-countdown"));
      if (isNaN(target)) { return; }
      var left = Math.floor((target - now) / 1000);
      if (left <= 0) {
        el.textContent = labels.closed;
        el.classList.add("closed");
        return;
      }
      var days = Math.floor(left / 86400);
      var rest = left % 86400;
      el.textContent = (days ? days + " " + labels.days + " " : "") +
        pad(Math.floor(rest / 3600)) + ":" + pad(Math.floor((rest % 3600) / 60)) + ":" + pad(rest % 60);
      el.classList.toggle("soon", left < 7 * 86400);
    });
  }

  if (countdowns.length) {
    tick();
    window.setInterval(tick, 1000);
  }
})();
