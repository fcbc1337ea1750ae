// Tables with class "sortable": a click on a column's heading sorts the rows by it (numbers as
// numbers), a second click the other way.
document.querySelectorAll("table.sortable").forEach((table) => {
  const body = table.tBodies[0];
  table.querySelectorAll("thead th").forEach((th, column) => {
    th.tabIndex = 0;
    th.setAttribute("aria-sort", "none");
    const sort = () => {
      const ascending = th.getAttribute("aria-sort") !== "ascending";
      const key = (row) => row.cells[column].textContent.trim();
      const number = (text) => parseFloat(text.replace(/^[^\d.-]+/, ""));
      const rows = Array.from(body.rows);
      const numeric = rows.every((row) => key(row) === "" || !isNaN(number(key(row))));
      rows.sort((a, b) => {
        const [x, y] = [key(a), key(b)];
        const order = numeric ? (number(x) || 0) - (number(y) || 0) : x.localeCompare(y, "zh");
        return ascending ? order : -order;
      });
      table.querySelectorAll("thead th").forEach((other) => other.setAttribute("aria-sort", "none"));
      th.setAttribute("aria-sort", ascending ? "ascending" : "descending");
      body.append(...rows);
    };
    th.addEventListener("click", sort);
    th.addEventListener("keydown", (event) => { if (event.key === "Enter") sort(); });
  });
});
