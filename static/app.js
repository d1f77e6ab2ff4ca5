// Progressive enhancement only: the page is complete without this file.
// Shows times in the visitor's own zone and adds relative times ("in 2 hours").
(function () {
  "use strict";
  var lang = document.documentElement.lang || undefined;
  var abs = new Intl.DateTimeFormat(lang, { dateStyle: "medium", timeStyle: "short" });
  var rel = window.Intl && Intl.RelativeTimeFormat ? new Intl.RelativeTimeFormat(lang, { numeric: "auto" }) : null;
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
    el.title = el.textContent.trim();
    var text = abs.format(date);
    if (el.hasAttribute("data-relative")) text += " (" + relative(date) + ")";
    el.textContent = text;
  });
})();
