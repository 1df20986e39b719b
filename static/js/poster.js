// The poster's 打印 button (no inline scripts: CSP).
(function () {
  "use strict";
  document.addEventListener("click", function (evt) {
    if (evt.target && evt.target.classList && evt.target.classList.contains("print-button")) window.print();
  });
})();
