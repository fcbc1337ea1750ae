// Saved-query parameters that take an IRI: as the reader types, labels of matching resources are
// offered (the site's label search, any script); the label chosen is sent and the server finds its IRI.
document.querySelectorAll("input.picker").forEach((input) => {
  const list = document.getElementById(input.getAttribute("list"));
  const wanted = (input.dataset.classes || "").split(",").filter(Boolean);
  let timer = null;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    const q = input.value.trim();
    if (!q || q.startsWith("http") || q.startsWith("/")) return;
    timer = setTimeout(async () => {
      const answer = await fetch(`/search.json?labels=1&q=${encodeURIComponent(q)}`).then((r) => r.json());
      const labels = (answer.labels || []).filter((hit) => !wanted.length || (hit.types || []).some((t) => wanted.includes(t)));
      list.replaceChildren(...labels.slice(0, 20).map((hit) => {
        const option = document.createElement("option");
        option.value = hit.label;
        option.label = hit.iri;
        return option;
      }));
      input.dataset.offered = String(list.children.length);
    }, 150);
  });
});
