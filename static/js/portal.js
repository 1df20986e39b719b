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
  // A refusal (a rule or the form said no: 422; a permission: 403; a stale link: 404; ...)
  // comes with the page or block that explains it, for the request's target or the one the
  // server names (HX-Retarget). htmx 2 swaps no 4xx by itself, which would leave the person
  // looking at an unchanged page: swap every refusal that says something, announce the rest.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var status = evt.detail.xhr.status;
    if (status < 400 || status >= 500) return;
    if (evt.detail.serverResponse) {
      evt.detail.shouldSwap = true;
      evt.detail.isError = false;
      // An error page sent to the main region (HX-Retarget) is swapped whole: the form's
      // hx-select names a part the error page does not have, which would empty the page.
      if (evt.detail.xhr.getResponseHeader("HX-Retarget")) evt.detail.selectOverride = "unset";
    } else {
      showNotice(document.documentElement.lang === "en"
        ? "This could not be done. Please reload the page and try again."
        : "操作未能完成，请刷新页面后重试。");
    }
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
  // A form that fills in defaults (a catalogue item's audience and 公示 period) must never
  // replace what the person chose. A hidden input with data-touched="a b" keeps in its value
  // which of its form's fields a, b the person has set; the server leaves those alone.
  function markTouched(evt) {
    var field = evt.target;
    if (!field.form || !field.name) return;
    var list = field.form.querySelector("input[data-touched]");
    if (!list || list.getAttribute("data-touched").split(/\s+/).indexOf(field.name) < 0) return;
    var names = list.value.split(/\s+/).filter(Boolean);
    if (names.indexOf(field.name) >= 0) return;
    names.push(field.name);
    list.value = names.join(" ");
  }
  document.addEventListener("input", markTouched, true);
  document.addEventListener("change", markTouched, true);
  // A response computed from values the person has changed since it was asked for (while it
  // was on its way) would put the old values back: an element marked data-drop-if-changed
  // drops such a response and asks again with the current values.
  document.addEventListener("htmx:beforeSwap", function (evt) {
    var config = evt.detail.requestConfig, elt = config && config.elt;  // detail.elt is the target
    if (!elt || !elt.hasAttribute || !elt.hasAttribute("data-drop-if-changed")) return;
    // Compare the form's own values only: a configRequest handler may add parameters.
    var sent = JSON.parse(JSON.stringify(config.parameters));
    var now = JSON.parse(JSON.stringify(htmx.values(elt, config.verb)));
    var changed = Object.keys(now).some(function (name) { return now[name] !== sent[name]; });
    if (!changed) return;
    evt.detail.shouldSwap = false;
    setTimeout(function () { htmx.trigger(elt, "change"); }, 0);
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
