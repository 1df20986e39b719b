// The notice board screen. htmx polls the deck (hx-trigger="every 30s"); this script:
// sends the ETag it was last given (If-None-Match) and the slide showing (?shown=); keeps the
// content when the answer is a 304, an error, or anything but a board (never a login or
// error page), with a small "重新连接中" mark until a poll succeeds; turns the slides; keeps
// the clock (the server's, from the Date of its answers); polls once at once after loading, so
// a page the service worker (board-sw.js) served from its copy while the server is down shows
// the mark at once; registers that worker; and reloads the page once a day, only after the
// server answered for this board. No inline scripts (CSP), nothing beyond htmx.
(function () {
  "use strict";
  var index = 0, timer = null, offset = 0, answered = false;
  function deck() { return document.getElementById("board-deck"); }
  function slides() { var d = deck(); return d ? d.querySelectorAll(".slide") : []; }
  function mark(on) { var el = document.getElementById("reconnecting"); if (el) el.hidden = !on; }
  function show(i) {
    var all = slides();
    if (!all.length) return;
    index = i % all.length;
    for (var k = 0; k < all.length; k++) all[k].hidden = k !== index;
  }
  function shown() { var all = slides(); return all.length ? all[index % all.length].getAttribute("data-slide") : "idle"; }
  function schedule() {
    if (timer) clearInterval(timer);
    var d = deck();
    var dwell = d ? parseInt(d.getAttribute("data-dwell"), 10) || 15 : 15;
    timer = setInterval(function () { show(index + 1); }, dwell * 1000);
  }
  function tick() {
    var now = new Date(Date.now() + offset);
    var text = now.toLocaleTimeString("zh-CN", { timeZone: "Asia/Shanghai", hour: "2-digit", minute: "2-digit", hour12: false });
    var clocks = document.querySelectorAll(".clock");
    for (var k = 0; k < clocks.length; k++) clocks[k].textContent = text;
  }
  function adopt() {
    var d = deck();
    if (d && d.getAttribute("data-now")) offset = parseInt(d.getAttribute("data-now"), 10) * 1000 - Date.now();
    tick();
  }
  document.addEventListener("htmx:configRequest", function (evt) {
    var d = deck();
    evt.detail.timeout = 10000;
    if (d && d.getAttribute("data-etag")) evt.detail.headers["If-None-Match"] = '"' + d.getAttribute("data-etag") + '"';
    evt.detail.parameters.shown = shown();
  });
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var xhr = evt.detail.xhr;
    var ours = xhr.status === 200 && xhr.getResponseHeader("X-Board") === "1";
    if (!ours) { evt.detail.shouldSwap = false; evt.detail.isError = false; }
  });
  document.addEventListener("htmx:afterSwap", function () {
    var was = shown.last || "";
    var all = slides(), keep = 0;
    for (var k = 0; k < all.length; k++) if (all[k].getAttribute("data-slide") === was) keep = k;
    show(keep);
    schedule();  // the board's settings may have changed how long a slide stays
    adopt();
  });
  document.addEventListener("htmx:beforeRequest", function () { shown.last = shown(); });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var xhr = evt.detail.xhr;
    var good = !!(xhr && (xhr.status === 304 || (xhr.status === 200 && xhr.getResponseHeader("X-Board") === "1")));
    var date = good && Date.parse(xhr.getResponseHeader("Date") || "");
    if (date) { offset = date - Date.now(); answered = true; tick(); }
    mark(!good);
  });
  // No answer since loading: the page may be the worker's old copy, so its time is old too.
  function lost() { mark(true); if (!answered) { offset = 0; tick(); } }
  document.addEventListener("htmx:sendError", lost);
  document.addEventListener("htmx:timeout", lost);
  // Once a day (around 04:00 school time, spread over half an hour) load the page again, so
  // a new release reaches the screen; only when the server says this address still works.
  function reloadLater(ms) {
    setTimeout(function () {
      var d = deck(), xhr = new XMLHttpRequest();
      if (!d) return;
      xhr.open("GET", d.getAttribute("data-alive"));
      xhr.timeout = 10000;
      xhr.onload = function () { if (xhr.status === 204) window.location.reload(); else reloadLater(300000); };
      xhr.onerror = xhr.ontimeout = function () { reloadLater(300000); };
      xhr.send();
    }, ms);
  }
  document.addEventListener("DOMContentLoaded", function () {
    show(0);
    schedule();
    adopt();
    setInterval(tick, 15000);
    var d = deck();
    if (d) htmx.trigger(d, "board-poll");
    if (d && d.getAttribute("data-worker") && "serviceWorker" in navigator) {  // https or localhost only
      navigator.serviceWorker.register(d.getAttribute("data-worker")).catch(function () {});
    }
    var day = 86400000, at = 20 * 3600000;  // 04:00 in Beijing is 20:00 UTC
    var wait = (at - (Date.now() % day) + day) % day;
    if (wait < 600000) wait += day;
    reloadLater(wait + Math.random() * 1800000);
  });
})();
