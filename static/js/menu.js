// The header's menu button on narrow screens (the navigation and the account links fold into
// one panel). Loaded in <head> without defer so the page is styled folded from its first paint;
// without this script the panel simply stays open under the header.
(function () {
  "use strict";
  document.documentElement.classList.add("js-menu");
  function panel(button) { return document.getElementById(button.getAttribute("aria-controls")); }
  function setOpen(button, open) {
    button.setAttribute("aria-expanded", open ? "true" : "false");
    var menu = panel(button);
    if (menu) menu.classList.toggle("open", open);
  }
  document.addEventListener("click", function (evt) {
    var button = evt.target.closest && evt.target.closest(".menu-button");
    if (button) {
      setOpen(button, button.getAttribute("aria-expanded") !== "true");
      return;
    }
    var open = document.querySelector(".menu-button[aria-expanded='true']");
    if (open && !panel(open).contains(evt.target)) setOpen(open, false);
  });
  document.addEventListener("keydown", function (evt) {
    if (evt.key !== "Escape") return;
    var open = document.querySelector(".menu-button[aria-expanded='true']");
    if (!open) return;
    setOpen(open, false);
    open.focus();
  });
})();
