// tenantscope dashboard: turns the page's inert chart data (#chart-data) into Chart.js
// charts, and completes a sign-in link (#token=…). No inline scripts: the CSP forbids them.
(function () {
  "use strict";

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
    return;
  }

  var dataEl = document.getElementById("chart-data");
  if (!dataEl) return;
  var specs = JSON.parse(dataEl.textContent || "[]");
  if (specs.length === 0) return;
  if (typeof Chart === "undefined") {
    console.warn("tenantscope: chart.js did not load; charts are not drawn");
    return;
  }

  var OUTCOME_COLOURS = {
    ok: "#2e7d32",
    exception: "#c62828",
    exceededCpu: "#ef6c00",
    exceededMemory: "#6a1b9a",
    canceled: "#757575",
    scriptNotFound: "#5d4037",
    "(mixed)": "#9e9e9e",
    "CPU ms": "#1565c0"
  };
  var SERIES = ["#1565c0", "#00838f", "#ad1457", "#f9a825", "#4527a0", "#558b2f", "#d84315", "#37474f"];

  function colour(spec, label, i) {
    if (spec.palette === "outcome" && OUTCOME_COLOURS[label]) return OUTCOME_COLOURS[label];
    return SERIES[i % SERIES.length];
  }

  // Vertical lines on a category axis (a plan's limit on its CPU histogram).
  var markerPlugin = {
    id: "tenantscopeMarkers",
    afterDatasetsDraw: function (chart) {
      var markers = chart.options.plugins.tenantscopeMarkers;
      var x = chart.scales.x;
      if (!markers || !x) return;
      var band = chart.data.labels.length > 1 ? x.getPixelForValue(1) - x.getPixelForValue(0) : x.width;
      var ctx = chart.ctx;
      markers.forEach(function (m, i) {
        var px = x.getPixelForValue(m.bin) - band / 2 + m.fraction * band;
        ctx.save();
        ctx.strokeStyle = i === 0 ? "#c62828" : "#6a1b9a";
        ctx.setLineDash(i === 0 ? [] : [6, 4]);
        ctx.lineWidth = 2;
        ctx.beginPath();
        ctx.moveTo(px, chart.chartArea.top);
        ctx.lineTo(px, chart.chartArea.bottom);
        ctx.stroke();
        ctx.fillStyle = ctx.strokeStyle;
        ctx.font = "12px sans-serif";
        ctx.fillText(m.label, px + 4, chart.chartArea.top + 12 + i * 14);
        ctx.restore();
      });
    }
  };

  window.tenantscopeCharts = {};
  specs.forEach(function (spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var doughnut = spec.type === "doughnut";
    var datasets = spec.datasets.map(function (d, i) {
      var c = doughnut ? spec.labels.map(function (l, j) { return colour(spec, l, j); }) : colour(spec, d.label, i);
      var ds = { label: d.label, data: d.data, backgroundColor: c, borderColor: c };
      if (d.type) ds.type = d.type;
      if (d.axis === "y2") { ds.yAxisID = "y2"; ds.stack = "cpu"; ds.fill = false; ds.pointRadius = 0; }
      return ds;
    });
    var options = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      plugins: { legend: { display: doughnut || datasets.length > 1 }, tenantscopeMarkers: spec.markers || null }
    };
    if (!doughnut) {
      options.scales = {
        x: { stacked: !!spec.stacked },
        y: { stacked: !!spec.stacked, beginAtZero: true, title: { display: !!spec.yTitle, text: spec.yTitle || "" } }
      };
      if (spec.y2Title) {
        options.scales.y2 = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: spec.y2Title } };
      }
    }
    var chart = new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options, plugins: [markerPlugin] });
    // For the browser test and for humans in DevTools: how much data this chart drew.
    var total = 0;
    spec.datasets.forEach(function (d) { d.data.forEach(function (v) { total += v; }); });
    canvas.setAttribute("data-rendered", String(total));
    window.tenantscopeCharts[spec.id] = chart;
  });
})();
