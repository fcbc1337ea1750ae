// Bar charts of targets and baselines (data embedded as JSON in the page): one panel per unit, so that
// values in different units never share an axis; a bar links to the passage its value was read from.
(function () {
  const panels = JSON.parse(document.getElementById("chart-data").textContent);
  const holder = document.getElementById("charts");
  panels.forEach((panel, k) => {
    const figure = document.createElement("figure");
    figure.className = "chart";
    const caption = document.createElement("figcaption");
    caption.textContent = `单位 Unit: ${panel.unit || "—"}`;
    const canvas = document.createElement("canvas");
    canvas.id = `chart-${k}`;
    canvas.className = "chart-panel";
    canvas.height = 110;
    canvas.dataset.unit = panel.unit;
    canvas.dataset.bars = String(panel.bars.length);
    canvas.setAttribute("role", "img");
    canvas.setAttribute("aria-label", `${panel.unit}: ` + panel.bars.map((b) => `${b.label} ${b.target ?? "—"}`).join("; "));
    figure.append(caption, canvas);
    holder.append(figure);
    const bars = panel.bars;
    new Chart(canvas, {
      type: "bar",
      data: {
        labels: bars.map((b) => b.label),
        datasets: [
          { label: "基期值 baseline", data: bars.map((b) => b.baseline), backgroundColor: "#9bb7d4" },
          { label: "目标值 target", data: bars.map((b) => b.target), backgroundColor: "#c0504d" },
        ],
      },
      options: {
        animation: false,
        onClick: (event, elements) => {
          const bar = elements.length ? bars[elements[0].index] : null;
          if (bar && bar.href) window.location.href = bar.href;
        },
        onHover: (event, elements) => {
          event.native.target.style.cursor = elements.length && bars[elements[0].index].href ? "pointer" : "default";
        },
        plugins: { tooltip: { callbacks: { label: (c) => `${c.dataset.label}: ${c.raw ?? "—"} ${panel.unit}` } } },
        scales: { y: { beginAtZero: true, title: { display: true, text: panel.unit || "" } } },
      },
    });
    canvas.dataset.ready = "true";
  });
  holder.dataset.ready = "true";
})();
