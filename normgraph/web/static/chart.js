// A chart of a result's numbers, drawn here as SVG (YASGUI's own chart plugin draws through Google Charts, which
// this page's policy and an offline machine would both refuse): one bar per row, labelled by the first column
// that is not a number, sized by the first column that is.
(function () {
  if (!window.Yasgui || !window.Yasgui.Yasr) {
    return;
  }
  var SVG = "http://www.w3.org/2000/svg";
  var MAX_BARS = 60;

  function isNumber(term) {
    return term && term.type === "literal" && term.value !== "" && !isNaN(Number(term.value));
  }

  function columns(results) {
    var variables = results.getVariables();
    var rows = results.getBindings();
    var value = variables.find(function (v) { return rows.length && rows.every(function (r) { return isNumber(r[v]); }); });
    var label = variables.find(function (v) { return v !== value; });
    return { value: value, label: label, rows: rows };
  }

  function element(name, attributes, text) {
    var node = document.createElementNS(SVG, name);
    Object.keys(attributes).forEach(function (key) { node.setAttribute(key, attributes[key]); });
    if (text !== undefined) {
      node.textContent = text;
    }
    return node;
  }

  function Chart(yasr) {
    this.yasr = yasr;
    this.priority = 5;
    this.label = "Chart";
  }
  Chart.prototype.canHandleResults = function () {
    var results = this.yasr.results;
    return !!(results && results.getVariables && results.getBindings && columns(results).value);
  };
  Chart.prototype.getIcon = function () {
    var icon = document.createElement("span");
    icon.textContent = "▮";
    return icon;
  };
  Chart.prototype.draw = function () {
    var picked = columns(this.yasr.results);
    var rows = picked.rows.slice(0, MAX_BARS);
    var largest = Math.max.apply(null, rows.map(function (r) { return Number(r[picked.value].value); }).concat([0]));
    var width = 720, bar = 18, gap = 4, left = 220;
    var svg = element("svg", { "class": "normgraph-chart", width: width, height: rows.length * (bar + gap) + 10,
                               role: "img", "aria-label": picked.value + " by " + (picked.label || "row") });
    rows.forEach(function (row, index) {
      var number = Number(row[picked.value].value);
      var y = index * (bar + gap);
      var name = picked.label && row[picked.label] ? row[picked.label].value : String(index + 1);
      svg.appendChild(element("text", { x: left - 6, y: y + bar - 5, "text-anchor": "end" }, name.replace(/^.*[#/]/, "")));
      svg.appendChild(element("rect", { x: left, y: y, height: bar, fill: "#2166ac",
                                        width: largest > 0 ? Math.max(1, (width - left - 60) * number / largest) : 1 }));
      svg.appendChild(element("text", { x: left + (largest > 0 ? (width - left - 60) * number / largest : 0) + 4,
                                        y: y + bar - 5 }, String(number)));
    });
    var holder = document.createElement("div");
    holder.appendChild(svg);
    if (picked.rows.length > MAX_BARS) {
      var note = document.createElement("p");
      note.textContent = "The first " + MAX_BARS + " of " + picked.rows.length + " rows.";
      holder.appendChild(note);
    }
    this.yasr.resultsEl.appendChild(holder);
  };
  window.Yasgui.Yasr.registerPlugin("chart", Chart);
})();
