// Draws each <canvas data-chart="bar" data-source="id"> from the JSON in <script id="id">, with
// Chart.js (vendored: chart.umd.min.js). The same figures are in a table beside each chart.
(function () {
  if (typeof Chart === "undefined") { return; }
  var palette = ["#1f4e9c", "#b3471d", "#2d7a3e", "#7a3e9d", "#8a6d00", "#0f6f7a", "#9c1f4e", "#4d4d4d"];
  document.querySelectorAll("canvas[data-chart]").forEach(function (canvas) {
    var source = document.getElementById(canvas.dataset.source);
    if (!source) { return; }
    var data = JSON.parse(source.textContent);
    new Chart(canvas, {
      type: canvas.dataset.chart,
      data: {
        labels: data.labels,
        datasets: data.series.map(function (s, i) {
          return { label: s.label, data: s.data, backgroundColor: palette[i % palette.length] };
        })
      },
      options: {
        animation: false,
        maintainAspectRatio: false,
        plugins: { legend: { display: data.series.length > 1 && data.series[0].label !== "" } },
        scales: {
          x: { stacked: !!data.stacked },
          y: { stacked: !!data.stacked, beginAtZero: true, max: data.max, ticks: { precision: 0 } }
        }
      }
    });
  });
})();
