// tenantscope dashboard: applies a saved light/dark choice before the page paints (no
// flash of the other theme). Without a saved choice, the CSS follows prefers-color-scheme.
(function () {
  "use strict";
  try {
    var saved = localStorage.getItem("tenantscope-theme");
    if (saved === "dark" || saved === "light") document.documentElement.setAttribute("data-theme", saved);
  } catch (e) {
    // Storage may be blocked; the system preference still applies.
  }
})();
