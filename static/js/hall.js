// The hall display polls itself (htmx, hx-trigger="every Ns"). When the server cannot be
// reached, htmx keeps the last good state on screen and goes on polling; this only shows
// a small "重新连接中" mark until a request succeeds again. No inline scripts (CSP).
(function () {
  "use strict";
  function mark(on) {
    var el = document.getElementById("reconnecting");
    if (el) el.hidden = !on;
  }
  document.addEventListener("htmx:sendError", function () { mark(true); });
  document.addEventListener("htmx:timeout", function () { mark(true); });
  document.addEventListener("htmx:responseError", function () { mark(true); });
  document.addEventListener("htmx:afterRequest", function (evt) {
    var xhr = evt.detail.xhr;
    if (xhr && xhr.status > 0 && xhr.status < 400) mark(false);
  });
  // A 304 has no body: keep what is shown instead of swapping in nothing.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    if (evt.detail.xhr.status === 304) evt.detail.shouldSwap = false;
  });
  document.addEventListener("htmx:configRequest", function (evt) {
    evt.detail.timeout = 8000;
  });
})();
