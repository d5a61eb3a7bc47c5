// Draws each <canvas data-chart="bar" data-source="id"> from the JSON in <script id="id">, with
// Chart.js (vendored: chart.umd.min.js). The same figures are in a table beside each chart.
(function () {
  if (typeof Chart === "undefined") { return; }
  var palette = ["#1f4e9c", "#b3471d", "#2d7a3e", "#7a3e9d", "#8a6d00", "#0f6f7a", "#9c1f4e", "#4d4d4d"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    var scales = {
      x: { stacked: !!data.stacked },
      y: { stacked: !!data.stacked, beginAtZero: true, max: data.max, ticks: { precision: 0 } }
    };
    // A series with axis "right" is read on a second axis at the right, titled data.right.
    if (data.right) {
      scales.right = { position: "right", beginAtZero: true, grid: { drawOnChartArea: false }, title: { display: true, text: data.right } };
    }
    new Chart(canvas, {
      type: canvas.dataset.chart,
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          var colour = palette[i % palette.length];
          return { label: s.label, data: s.data, yAxisID: s.axis || "y", backgroundColor: colour, borderColor: colour, borderDash: s.axis === "right" ? [6, 4] : [] };
        })
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: data.series.length > 1 && data.series[0].label !== "" } },
        scales: scales
      }
    });
  });
})();
