// Dashboard enhancements; every form also works without this file.
// - the time zone of a new maintenance defaults to the browser's
// - the schedule builder shows only the fields of the chosen mode
// - the next windows are previewed live from /api/v1/schedule/preview, from now on, in
//   the plan's own zone (never the browser's), skipped and cancelled ones marked
// - a new monitor's slug follows its name until edited; a new token can be copied
// Keep buildRule() in step with domain::builder::Builder::to_rrule.
(function () {
  "use strict";
  document.querySelectorAll("[data-copy]").forEach(function (button) {
    var source = document.getElementById(button.getAttribute("data-copy"));
    if (!source || !navigator.clipboard) return;
    button.hidden = false;
    button.addEventListener("click", function () {
      navigator.clipboard.writeText(source.textContent.trim()).then(function () { button.textContent = "Copied"; });
    });
  });
  var name = document.querySelector("#new-monitor #name"), slug = document.querySelector("#new-monitor #slug");
  if (name && slug) {
    var touched = slug.value !== "";
    slug.addEventListener("input", function () { touched = true; });
    name.addEventListener("input", function () {
      if (touched) return;
      slug.value = name.value.toLowerCase().normalize("NFKD").replace(/[\u0300-\u036f]/g, "")
        .replace(/[^a-z0-9]+/g, "-").replace(/^-+|-+$/g, "").slice(0, 63);
    });
  }

  var form = document.getElementById("maintenance-form");
  if (!form) return;
  var zone = document.getElementById("timezone");
  var zoneChanged = false;
  if (zone && zone.hasAttribute("data-browser-default")) {
    var mine = Intl.DateTimeFormat().resolvedOptions().timeZone;
    if (mine && mine !== zone.value && Array.prototype.some.call(zone.options, function (o) { return o.value === mine; })) {
      zone.value = mine;
      zoneChanged = true;
    }
  }
  function val(name) { var el = form.elements[name]; return el ? el.value : ""; }
  function mode() { var m = form.querySelector("input[name=mode]:checked"); return m ? m.value : "once"; }
  var units = { daily: "days", weekly: "weeks", monthly_day: "months", monthly_nth: "months" };
  function showModes() {
    var m = mode();
    form.querySelectorAll("[data-modes]").forEach(function (el) {
      el.hidden = el.getAttribute("data-modes").split(" ").indexOf(m) < 0;
    });
    var label = document.getElementById("interval-label");
    if (label && units[m]) label.textContent = "Every how many " + units[m];
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
  var serverError = document.getElementById("rrule-error");
  var pending = 0, touched = false;
  function preview() {
    showModes();
    var rule = buildRule(), start = val("start");
    var duration = (parseInt(val("hours"), 10) || 0) * 3600 + (parseInt(val("minutes"), 10) || 0) * 60;
    if (!rule || !start || !duration) { list.innerHTML = ""; return; }
    var q = new URLSearchParams({ rrule: rule, start: start, tz: val("timezone"), duration: String(duration), limit: "5", from: "now" });
    if (form.getAttribute("data-id")) q.set("maintenance", form.getAttribute("data-id"));
    var mine = ++pending;
    fetch("/api/v1/schedule/preview?" + q).then(function (r) {
      return r.json().then(function (body) { return { ok: r.ok, body: body }; });
    }).then(function (res) {
      if (mine !== pending) return;
      // The server's own message under the fields says the same; show one at a time.
      if (serverError && touched) serverError.hidden = true;
      list.innerHTML = "";
      error.hidden = res.ok || (serverError && !serverError.hidden);
      if (!res.ok) { error.textContent = res.body.message; return; }
      if (!res.body.length) {
        var none = document.createElement("li");
        none.textContent = "No windows from now on.";
        list.appendChild(none);
      }
      res.body.forEach(function (w) {
        var li = document.createElement("li"), when = document.createElement(w.note ? "s" : "span");
        when.textContent = w.local;
        li.appendChild(when);
        if (w.note) { li.className = "off"; li.appendChild(document.createTextNode(" — " + w.note)); }
        if (!/ UTC$/.test(w.local)) {
          var utc = document.createElement("span");
          utc.className = "meta";
          utc.textContent = " (" + w.utc + ")";
          li.appendChild(utc);
        }
        list.appendChild(li);
      });
    }).catch(function () {});
  }
  form.addEventListener("input", function () { touched = true; preview(); });
  form.addEventListener("change", function () { touched = true; preview(); });
  showModes();
  if (zoneChanged) preview();
})();
