// Bar chart of each plan's target and baseline for an indicator (data embedded as JSON in the page).
(function () {
  const data = JSON.parse(document.getElementById("chart-data").textContent);
  const canvas = document.getElementById("chart");
  canvas.dataset.bars = String(data.length);
  new Chart(canvas, {
    type: "bar",
    data: {
      labels: data.map((d) => d.label),
      datasets: [
        { label: "baseline 基期值", data: data.map((d) => d.baseline), backgroundColor: "#9bb7d4" },
        { label: "target 目标值", data: data.map((d) => d.target), backgroundColor: "#c0504d" },
      ],
    },
    options: {
      animation: false,
      plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw ?? "—"} ${data[c.dataIndex].unit}` } } },
      scales: { y: { beginAtZero: true } },
    },
  });
  canvas.dataset.ready = "true";
})();
