// Dashboard enhancements; every form also works without this file.
// - the time zone of a new maintenance defaults to the browser's
// - the schedule builder shows only the fields of the chosen mode
// - the next windows are previewed live from /api/v1/schedule/preview
// Keep buildRule() in step with domain::builder::Builder::to_rrule.
(function () {
  "use strict";
  var form = document.getElementById("maintenance-form");
  if (!form) return;
  var zone = document.getElementById("timezone");
  if (zone && zone.hasAttribute("data-browser-default")) {
    var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (mine && Array.prototype.some.call(zone.options, function (o) { return o.value === mine; })) zone.value = mine;
  }
  function val(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function mode() { var m = form.querySelector("input[name=mode]:checked"); return m ? m.value : "once"; }
  function showModes() {
    var m = mode();
    form.querySelectorAll("[data-modes]").forEach(function (el) {
      el.hidden = el.getAttribute("data-modes").split(" ").indexOf(m) < 0;
    });
  }
  function buildRule() {
    var m = mode(), n = parseInt(val("interval"), 10) || 1;
    var interval = n > 1 ? ";INTERVAL=" + n : "";
    var base;
    if (m === "once") return "FREQ=MINUTELY;COUNT=1";
    if (m === "custom") return val("rrule").trim();
    if (m === "daily") base = "FREQ=DAILY" + interval;
    if (m === "weekly") {
      var days = ["MO", "TU", "WE", "TH", "FR", "SA", "SU"].filter(function (d) {
        return form.querySelector("input[name=weekdays][value=" + d + "]").checked;
      });
      if (!days.length) return null;
      base = "FREQ=WEEKLY" + interval + ";BYDAY=" + days.join(",");
    }
    if (m === "monthly_day") base = "FREQ=MONTHLY" + interval + ";BYMONTHDAY=" + val("month_day");
    if (m === "monthly_nth") base = "FREQ=MONTHLY" + interval + ";BYDAY=" + val("nth") + val("nth_weekday");
    if (val("until")) return base + ";UNTIL=" + val("until").replace(/-/g, "");
    if (val("count")) return base + ";COUNT=" + val("count");
    return base;
  }
  var list = document.getElementById("preview"), error = document.getElementById("preview-error");
  var fmt = new Intl.DateTimeFormat(undefined, { dateStyle: "medium", timeStyle: "short" });
  var pending = 0;
  function preview() {
    showModes();
    var rule = buildRule(), start = val("start");
    var duration = (parseInt(val("hours"), 10) || 0) * 3600 + (parseInt(val("minutes"), 10) || 0) * 60;
    if (!rule || !start || !duration) { list.innerHTML = ""; return; }
    var q = new URLSearchParams({ rrule: rule, start: start, tz: val("timezone"), duration: String(duration), limit: "5" });
    var mine = ++pending;
    fetch("/api/v1/schedule/preview?" + q).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (mine !== pending) return;
      list.innerHTML = "";
      error.hidden = res.ok;
      if (!res.ok) { error.textContent = res.body.field + ": " + res.body.message; return; }
      res.body.forEach(function (w) {
        var li = document.createElement("li");
        li.textContent = fmt.format(new Date(w.start)) + " – " + fmt.format(new Date(w.end)) + " (" + w.start + ")";
        list.appendChild(li);
      });
    }).catch(function () {});
  }
  form.addEventListener("input", preview);
  form.addEventListener("change", preview);
  preview();
})();
