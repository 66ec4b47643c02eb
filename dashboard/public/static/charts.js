// tenantscope dashboard: turns the page's inert chart data (#chart-data) into Chart.js
// charts. No inline scripts: the CSP forbids them. Outcome colours are Okabe-Ito's
// colour-blind-safe palette; time charts zoom by dragging (chartjs-plugin-zoom), which
// reloads the page for the absolute from/to of the selection.
(function () {
  "use strict";

  var dataEl = document.getElementById("chart-data");
  if (!dataEl) return;
  var specs = JSON.parse(dataEl.textContent || "[]");
  if (specs.length === 0) return;
  if (typeof Chart === "undefined") {
    console.warn("tenantscope: chart.js did not load; charts are not drawn");
    return;
  }

  // Okabe & Ito (2008): told apart with every common colour-vision deficiency.
  var OUTCOME_COLOURS = {
    ok: "#009E73",
    exception: "#D55E00",
    exceededCpu: "#E69F00",
    exceededMemory: "#CC79A7",
    scriptNotFound: "#56B4E9",
    canceled: "#999999",
    "(mixed)": "#BBBBBB",
    "CPU ms": "#0072B2"
  };
  var SERIES = ["#0072B2", "#E69F00", "#009E73", "#CC79A7", "#56B4E9", "#D55E00", "#F0E442", "#999999"];

  function colour(spec, key, i) {
    if (spec.palette === "outcome" && OUTCOME_COLOURS[key]) return OUTCOME_COLOURS[key];
    return SERIES[i % SERIES.length];
  }

  function themeColours() {
    var css = getComputedStyle(document.documentElement);
    return {
      text: css.getPropertyValue("--muted").trim() || "#57606a",
      grid: css.getPropertyValue("--grid").trim() || "#d0d7de",
      marker: css.getPropertyValue("--marker").trim() || "#D55E00"
    };
  }

  function sumOf(spec) {
    var total = 0;
    spec.datasets.forEach(function (d) { d.data.forEach(function (v) { total += v; }); });
    return total;
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
        ctx.strokeStyle = i === 0 ? themeColours().marker : "#CC79A7";
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

  // An empty chart says so, instead of looking like one that failed to load.
  var noDataPlugin = {
    id: "tenantscopeNoData",
    afterDraw: function (chart) {
      if (!chart.options.plugins.tenantscopeNoData) return;
      var area = chart.chartArea;
      var ctx = chart.ctx;
      ctx.save();
      ctx.fillStyle = themeColours().text;
      ctx.font = "600 16px system-ui, sans-serif";
      ctx.textAlign = "center";
      ctx.textBaseline = "middle";
      var cx = area ? (area.left + area.right) / 2 : chart.width / 2;
      var cy = area ? (area.top + area.bottom) / 2 : chart.height / 2;
      ctx.fillText("No data in this window", cx, cy);
      ctx.restore();
    }
  };

  function iso(ms) {
    return new Date(ms).toISOString().slice(0, 19) + "Z";
  }

  // The selected bars become the page's window: from the first bar's start to the last one's end.
  function zoomTo(spec, chart) {
    var x = chart.scales.x;
    var first = Math.max(0, Math.round(x.min));
    var last = Math.min(spec.times.length - 1, Math.round(x.max));
    if (spec.times[first] === undefined || spec.times[last] === undefined) return;
    var url = new URL(location.href);
    ["range", "from", "to", "bucket", "page"].forEach(function (k) { url.searchParams.delete(k); });
    var from = spec.times[first];
    // Not past now (the current bucket is still filling), and at least the minute the server asks for.
    var to = Math.max(from + 60000, Math.min(spec.times[last] + spec.bucketMs, Date.now()));
    url.searchParams.set("from", iso(from));
    url.searchParams.set("to", iso(to));
    location.assign(url.href);
  }

  function options(spec, empty) {
    var doughnut = spec.type === "doughnut";
    var c = themeColours();
    var opts = {
      animation: false,
      responsive: true,
      maintainAspectRatio: false,
      // Tooltips list every series of the hovered bucket, so a stacked chart reads whole.
      interaction: doughnut ? { mode: "nearest", intersect: true } : { mode: "index", intersect: false },
      plugins: {
        legend: { display: doughnut || spec.datasets.length > 1, labels: { color: c.text } },
        tenantscopeMarkers: spec.markers || null,
        tenantscopeNoData: empty
      }
    };
    if (doughnut) return opts;
    var title = function (text) { return { display: !!text, text: text || "", color: c.text }; };
    opts.scales = {
      x: { stacked: !!spec.stacked, title: title(spec.xTitle), ticks: { color: c.text }, grid: { color: c.grid } },
      // Counts are whole: integer ticks, and an empty chart shows 0–1 rather than 0–0.1 steps.
      y: { stacked: !!spec.stacked, beginAtZero: true, suggestedMax: empty ? 1 : undefined, title: title(spec.yTitle), ticks: { precision: 0, color: c.text }, grid: { color: c.grid } }
    };
    if (spec.y2Title) {
      opts.scales.y2 = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: title(spec.y2Title), ticks: { color: c.text } };
    }
    if (spec.times && !empty) {
      opts.plugins.zoom = {
        zoom: {
          mode: "x",
          drag: { enabled: true, backgroundColor: "rgba(0,114,178,0.2)", borderColor: "#0072B2", borderWidth: 1 },
          onZoomComplete: function (ctx) { zoomTo(spec, ctx.chart); }
        }
      };
    }
    return opts;
  }

  function draw(spec) {
    var canvas = document.getElementById(spec.id);
    if (!canvas) return;
    var doughnut = spec.type === "doughnut";
    var total = sumOf(spec);
    var datasets = spec.datasets.map(function (d, i) {
      var c = doughnut
        ? spec.labels.map(function (l, j) { return colour(spec, (spec.keys && spec.keys[j]) || l, j); })
        : colour(spec, d.key || d.label, i);
      var ds = { label: d.label, data: d.data, backgroundColor: c, borderColor: c };
      if (d.type) ds.type = d.type;
      if (d.axis === "y2") { ds.yAxisID = "y2"; ds.stack = "cpu"; ds.fill = false; ds.pointRadius = 0; }
      return ds;
    });
    var chart = new Chart(canvas, { type: spec.type, data: { labels: spec.labels, datasets: datasets }, options: options(spec, total === 0), plugins: [markerPlugin, noDataPlugin] });
    // For the browser test and for humans in DevTools: how much data this chart drew.
    canvas.setAttribute("data-rendered", String(total));
    window.tenantscopeCharts[spec.id] = chart;
  }

  window.tenantscopeCharts = {};
  specs.forEach(draw);

  // The theme toggle (app.js) announces a change: redraw with the new text and grid colours.
  document.addEventListener("tenantscope:theme", function () {
    specs.forEach(function (spec) {
      var chart = window.tenantscopeCharts[spec.id];
      if (!chart) return;
      chart.options = options(spec, sumOf(spec) === 0);
      chart.update("none");
    });
  });
})();
