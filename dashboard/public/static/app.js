// tenantscope dashboard: the page chrome. Completes a sign-in link (#token=…), the
// light/dark toggle, auto refresh, "copy link", and keyboard access to tables that
// scroll sideways. Charts are drawn by charts.js. No inline scripts: the CSP forbids them.
(function () {
  "use strict";

  function stored(key) {
    try { return localStorage.getItem(key); } catch (e) { return null; }
  }
  function store(key, value) {
    try { localStorage.setItem(key, value); } catch (e) { /* blocked storage: the choice lasts this page only */ }
  }

  // Sign-in link printed by the dev runner: the fragment never reaches the server. The
  // token is filled in, not submitted: a link that signed in by itself would let anyone
  // with a token sign a victim into their account (login CSRF).
  var match = /^#token=(.+)$/.exec(location.hash);
  var tokenInput = document.getElementById("token");
  var loginForm = document.getElementById("login-form");
  if (match && tokenInput && loginForm) {
    tokenInput.value = decodeURIComponent(match[1]);
    history.replaceState(null, "", location.pathname + location.search);
    var submit = loginForm.querySelector("[type=submit]");
    if (submit) submit.focus();
  }

  // Theme: the system's preference until the reader picks one; the pick is kept (theme.js applies it early).
  var root = document.documentElement;
  var toggle = document.getElementById("theme-toggle");
  var systemDark = window.matchMedia("(prefers-color-scheme: dark)");
  function isDark() {
    var chosen = root.getAttribute("data-theme");
    return chosen ? chosen === "dark" : systemDark.matches;
  }
  function showTheme() {
    if (!toggle) return;
    toggle.setAttribute("aria-pressed", String(isDark()));
    toggle.textContent = isDark() ? "Dark mode: on" : "Dark mode: off";
  }
  if (toggle) {
    toggle.hidden = false;
    showTheme();
    toggle.addEventListener("click", function () {
      var next = isDark() ? "light" : "dark";
      root.setAttribute("data-theme", next);
      store("tenantscope-theme", next);
      showTheme();
      document.dispatchEvent(new CustomEvent("tenantscope:theme"));
    });
    systemDark.addEventListener("change", function () {
      showTheme();
      document.dispatchEvent(new CustomEvent("tenantscope:theme"));
    });
  }

  // Auto refresh: off, 30 s or 1 min, kept across pages.
  var refresh = document.getElementById("auto-refresh");
  var timer = null;
  function schedule() {
    if (timer !== null) clearTimeout(timer);
    timer = null;
    var seconds = Number(refresh.value);
    if (seconds > 0) timer = setTimeout(function () { location.reload(); }, seconds * 1000);
  }
  if (refresh) {
    var saved = stored("tenantscope-refresh");
    if (saved === "30" || saved === "60") refresh.value = saved;
    schedule();
    refresh.addEventListener("change", function () {
      store("tenantscope-refresh", refresh.value);
      schedule();
    });
  }

  // "Copy link": this window as absolute times, so the link shows the same data later.
  var copy = document.getElementById("copy-link");
  var status = document.getElementById("copy-status");
  if (copy) {
    copy.addEventListener("click", function () {
      var href = new URL(copy.getAttribute("data-href") || location.href, location.href).href;
      var done = function (text) { if (status) status.textContent = text; };
      if (navigator.clipboard && navigator.clipboard.writeText) {
        navigator.clipboard.writeText(href).then(function () { done("Copied."); }, function () { done("Copy failed: use the link."); });
      } else {
        done("Copy is not available here: use the link.");
      }
    });
  }

  // A table that scrolls sideways on a narrow screen must be reachable by keyboard too.
  function focusableScrollers() {
    document.querySelectorAll("table.data").forEach(function (table) {
      if (table.closest(".table-wrap")) return;
      if (table.scrollWidth > table.clientWidth + 1) table.setAttribute("tabindex", "0");
      else table.removeAttribute("tabindex");
    });
  }
  focusableScrollers();
  window.addEventListener("resize", focusableScrollers);
})();
