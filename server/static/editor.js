// The SPARQL editor: YASGUI (YASQE + YASR) on this server's endpoint, with prefixes and examples.
(function () {
  const config = JSON.parse(document.getElementById("editor-config").textContent);
  const prefixes = Object.entries(config.prefixes).map(([p, iri]) => `PREFIX ${p}: <${iri}>`).join("\n");
  const starter = config.query || `${prefixes}\n\nSELECT ?plan ?title WHERE {\n  ?plan a mz:PolicyDocument ; dcterms:title ?title .\n}`;
  // Only completions that need nothing from the network: no prefix.cc, no vocabulary lookups.
  Yasgui.Yasqe.defaults.autocompleters = ["variables"];
  const yasgui = new Yasgui(document.getElementById("yasgui"), {
    requestConfig: { endpoint: config.endpoint, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: () => [] },
    persistenceId: null,
    yasqe: { value: starter },
    yasr: { prefixes: config.prefixes, defaultPlugin: "table" },
  });
  const tab = yasgui.getTab();
  tab.setQuery(starter);
  document.getElementById("examples").addEventListener("change", (event) => {
    const text = config.examples[event.target.value];
    if (text) { yasgui.getTab().setQuery(text); }
  });
  window.mzkgEditor = yasgui;
})();
