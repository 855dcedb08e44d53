// Small progressive enhancements; every page works without them.
document.documentElement.classList.add("js");
document.addEventListener("DOMContentLoaded", function () {
  // On a phone the header folds into a menu (without scripts it stays open: every link reachable).
  var toggle = document.querySelector(".menu-toggle");
  if (toggle) toggle.addEventListener("click", function () {
    var open = document.getElementById("top").classList.toggle("open");
    toggle.setAttribute("aria-expanded", open ? "true" : "false");
  });
  document.querySelectorAll("[data-print]").forEach(function (b) {
    b.addEventListener("click", function () { window.print(); });
  });
  // A request's draft stays in this browser (localStorage), under its author's id, until it is sent
  // or they sign out; the sign-in page drops every draft left (a shared hospital workstation).
  function clearDrafts() {
    Object.keys(localStorage).forEach(function (k) {
      if (k.indexOf("ims-booking-draft") === 0) localStorage.removeItem(k);
    });
  }
  document.querySelectorAll("form[data-sign-out]").forEach(function (f) { f.addEventListener("submit", clearDrafts); });
  if (document.querySelector("[data-sent], [data-clear-drafts]")) clearDrafts();
  var form = document.querySelector("form[data-draft]");
  if (!form) return;
  var key = form.getAttribute("data-draft");
  try {
    var saved = JSON.parse(localStorage.getItem(key) || "{}");
    Object.keys(saved).forEach(function (name) {
      var el = form.elements[name];
      if (el && el.type !== "hidden" && !el.value) el.value = saved[name];
    });
  } catch (e) { localStorage.removeItem(key); }
  form.addEventListener("input", function () {
    var data = {};
    Array.prototype.forEach.call(form.elements, function (el) {
      if (el.name && el.name !== "csrf_token" && el.value) data[el.name] = el.value;
    });
    localStorage.setItem(key, JSON.stringify(data));
  });
  var clear = form.querySelector("[data-clear-draft]");
  if (clear) clear.addEventListener("click", function () { localStorage.removeItem(key); form.reset(); });
});
// The report's actual duration follows the times typed (the page also computes it when it is shown).
document.addEventListener("DOMContentLoaded", function () {
  var out = document.querySelector("#actual-duration [data-actual]");
  var start = document.getElementById("f-actual_start"), end = document.getElementById("f-actual_end");
  if (!out || !start || !end) return;
  function show() {
    var minutes = Math.floor((new Date(end.value) - new Date(start.value)) / 60000);
    if (!(minutes >= 0)) { out.textContent = "—"; return; }
    var h = Math.floor(minutes / 60), m = minutes % 60;
    out.textContent = h ? (m ? h + " h " + String(m).padStart(2, "0") : h + " h") : m + " min";
  }
  start.addEventListener("input", show); end.addEventListener("input", show);
});
