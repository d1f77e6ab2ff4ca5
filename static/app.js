// Progressive enhancement only: the page is complete without this file.
// Shows times in the visitor's own zone and locale, keeping the weekday and naming the
// zone ("Sun, 6 Dec 2026, 03:00 CET"), adds relative times ("in 2 hours"), and reloads
// the status page once a minute while maintenance is in progress or about to start.
(function () {
  "use strict";
  var locales = navigator.languages && navigator.languages.length ? navigator.languages : undefined;
  var opts = { weekday: "short", day: "numeric", month: "short", year: "numeric", hour: "2-digit", minute: "2-digit", timeZoneName: "short" };
  var abs;
  try { abs = new Intl.DateTimeFormat(locales, opts); } catch (e) { abs = new Intl.DateTimeFormat(undefined, opts); }
  var rel = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(locales, { numeric: "auto" }) : null;
  function relative(date) {
    if (!rel) return "";
    var secs = (date.getTime() - Date.now()) / 1000;
    var units = [["day", 86400], ["hour", 3600], ["minute", 60]];
    for (var i = 0; i < units.length; i++) {
      if (Math.abs(secs) >= units[i][1] || units[i][0] === "minute") {
        return rel.format(Math.round(secs / units[i][1]), units[i][0]);
      }
    }
    return "";
  }
  document.querySelectorAll("time[datetime]").forEach(function (el) {
    var date = new Date(el.getAttribute("datetime"));
    if (isNaN(date)) return;
    var end = el.hasAttribute("data-end") ? new Date(el.getAttribute("data-end")) : null;
    // The server's text (the maintenance's own zone and UTC) stays on hover.
    el.title = el.textContent.trim();
    var text = end && !isNaN(end) && abs.formatRange ? abs.formatRange(date, end) : abs.format(date);
    if (el.hasAttribute("data-relative")) text += " (" + relative(date) + ")";
    el.textContent = text;
  });
  var live = document.querySelector("[data-refresh]");
  if (live) {
    var every = parseInt(live.getAttribute("data-refresh"), 10) * 1000;
    setInterval(function () { if (!document.hidden) location.reload(); }, every);
  }
})();
