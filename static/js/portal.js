// Small behaviours that htmx does not cover. No inline scripts anywhere (CSP).
(function () {
  "use strict";
  // When a request fails outright (network down, server restarting), say so in Chinese
  // instead of leaving the page silently unchanged.
  document.addEventListener("htmx:sendError", function () {
    showNotice(document.documentElement.lang === "en"
      ? "The server could not be reached. Please try again."
      : "无法连接服务器，请稍后重试。");
  });
  document.addEventListener("htmx:responseError", function (evt) {
    if (evt.detail.xhr.status >= 500) {
      showNotice(document.documentElement.lang === "en"
        ? "The server had a problem; nothing was changed."
        : "服务器出错，您的操作没有生效。");
    }
  });
  // A swap that replaces the focused button (我已阅读, 提交异议) would drop keyboard focus to
  // the top of the page: move it to the confirmation the server marked with data-autofocus.
  document.addEventListener("htmx:afterSettle", function () {
    var target = document.querySelector("[data-autofocus]");
    if (!target) return;
    target.removeAttribute("data-autofocus");
    target.focus();
  });
  function showNotice(text) {
    var main = document.getElementById("main");
    if (!main) return;
    var p = document.createElement("p");
    p.className = "flash flash-error";
    p.setAttribute("role", "alert");
    p.textContent = text;
    main.insertBefore(p, main.firstChild);
  }
})();
