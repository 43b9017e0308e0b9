// Draws a horizontal bar chart (per cents unless the data names a unit) from the JSON in <script type="application/json"> whose id
// the canvas names in data-chart-source. The table beside the chart holds the same figures.
(function () {
  "use strict";
  function draw(canvas) {
    var source = document.getElementById(canvas.dataset.chartSource);
    if (!source || typeof window.Chart === "undefined") { return; }
    var data = JSON.parse(source.textContent);
    new window.Chart(canvas, {
      type: "bar",
      data: {
        labels: data.labels,
        datasets: [{ label: data.title, data: data.values, backgroundColor: "#1d70b8" }]
      },
      options: {
        indexAxis: "y",
        animation: false,
        responsive: true,
        maintainAspectRatio: false,
        scales: {
          x: data.unit
            ? { min: 0, title: { display: true, text: data.unit } }
            : { min: 0, max: 100, title: { display: true, text: "Per cent of reviews" } }
        },
        plugins: { legend: { display: false } }
      }
    });
    canvas.parentElement.classList.add("app-chart--drawn");
  }
  function start() {
    document.querySelectorAll("canvas[data-chart-source]").forEach(draw);
  }
  if (document.readyState === "loading") {
    document.addEventListener("DOMContentLoaded", start);
  } else {
    start();
  }
})();
