// Trend charts drawn with the vendored Chart.js. Each <figure data-chart> holds a <canvas>, its
// data in a <script type="application/json"> (no inline JS, so CSP stays strict) and a table
// with the same numbers for screen readers and print.
(function () {
  "use strict";
  var TONES = { target: "#1e7b4f", warning: "#c58a00", critical: "#b3261e", value: "#2f6fa8" };

  function draw(figure) {
    if (figure.dataset.drawn || !window.Chart) return;
    var source = figure.querySelector("script[type='application/json']");
    var canvas = figure.querySelector("canvas");
    if (!source || !canvas) return;
    var spec = JSON.parse(source.textContent);
    var datasets = (spec.series || []).map(function (s) {
      return {
        label: s.label, data: s.values, borderColor: TONES.value, backgroundColor: "rgba(47,111,168,.12)",
        fill: true, tension: 0.25, spanGaps: false, pointRadius: 2.5, borderWidth: 2,
      };
    });
    (spec.lines || []).forEach(function (line) {
      if (line.value === null || line.value === undefined) return;
      datasets.push({
        label: line.label, data: spec.labels.map(function () { return line.value; }),
        borderColor: TONES[line.tone] || "#888", borderDash: line.tone === "target" ? [] : [6, 4],
        borderWidth: 1.5, pointRadius: 0, fill: false,
      });
    });
    figure.dataset.drawn = "1";
    new window.Chart(canvas, {
      type: "line",
      data: { labels: spec.labels, datasets: datasets },
      options: {
        responsive: true, maintainAspectRatio: false, animation: false,
        interaction: { mode: "index", intersect: false },
        plugins: { legend: { position: "bottom", labels: { boxWidth: 14, font: { size: 11 } } } },
        scales: {
          x: { ticks: { maxRotation: 0, autoSkip: true, maxTicksLimit: 8, font: { size: 11 } }, grid: { display: false } },
          y: { title: { display: !!spec.unit, text: spec.unit || "" }, ticks: { font: { size: 11 } } },
        },
      },
    });
  }

  function drawAll(root) {
    (root || document).querySelectorAll("figure[data-chart]").forEach(draw);
  }

  document.addEventListener("DOMContentLoaded", function () { drawAll(document); });
  document.addEventListener("htmx:afterSettle", function (event) { drawAll(event.target); });
  window.addEventListener("beforeprint", function () {
    Object.values(window.Chart ? window.Chart.instances : {}).forEach(function (c) { c.resize(); });
  });
})();
