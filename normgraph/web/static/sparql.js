// The SPARQL page with YASGUI (vendored in static/yasgui, nothing fetched from elsewhere): the editor with syntax
// highlighting and prefix completion, and the result table, over this server's /query. Without JavaScript the
// page's own form works as before; with it, the form stays as the fallback and the editor takes its place.
document.addEventListener("DOMContentLoaded", function () {
  var form = document.getElementById("sparql-form");
  var textarea = document.getElementById("query");
  if (!window.Yasgui || !form || !textarea) {
    return;
  }
  var holder = document.createElement("div");
  holder.id = "yasgui";
  form.parentNode.insertBefore(holder, form);
  form.hidden = true;
  var prefixes = JSON.parse(document.getElementById("sparql-prefixes").textContent);
  var yasgui = new Yasgui(holder, {
    requestConfig: { endpoint: new URL("/query", window.location.href).href, method: "POST" },
    copyEndpointOnNewTab: false,
    endpointCatalogueOptions: { getData: function () { return []; } },
    persistenceId: null,
    yasqe: { value: textarea.value },
    yasr: { prefixes: prefixes }
  });
  var tab = yasgui.getTab();
  tab.setQuery(textarea.value);
  // A query given in the address was answered by the page itself: the editor answers it in its own table instead.
  var answered = document.getElementById("page-result");
  if (answered) {
    answered.hidden = true;
    tab.getYasqe().query();
  }
});
