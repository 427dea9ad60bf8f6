// Draws every element with a data-chart attribute holding {years, series, path, path_name, unit}.
(function () {
  "use strict";
  document.querySelectorAll("[data-chart]").forEach(function (el) {
    var spec = JSON.parse(el.dataset.chart);
    var series = spec.series.map(function (s) {
      return { name: s.name, type: "line", data: s.data, connectNulls: false, symbolSize: 7 };
    });
    if (spec.path) {
      series.push({ name: spec.path_name, type: "line", data: spec.path, lineStyle: { type: "dashed", width: 2 }, itemStyle: { color: "#1f2933" }, symbol: "none" });
    }
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 24, top: 40, bottom: 30 },
      xAxis: { type: "category", data: spec.years },
      yAxis: { type: "value", name: spec.unit, scale: true },
      series: series
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

// Bars: data-bars holds {categories, unit, series: [{name, data, levels?}], stack?}; the first
// series is drawn as bars (coloured by warning level when it has levels), the others as lines,
// or every series as stacked bars when stack is set.
(function () {
  "use strict";
  var colours = { red: "#c0392b", yellow: "#e0a800", green: "#2e8b57", unknown: "#9aa5b1" };
  document.querySelectorAll("[data-bars]").forEach(function (el) {
    var spec = JSON.parse(el.dataset.bars);
    var chart = echarts.init(el, null, { renderer: "svg" });
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis" },
      legend: { top: 0 },
      grid: { left: 60, right: 24, top: 40, bottom: 30 },
      xAxis: { type: "category", data: spec.categories },
      yAxis: { type: "value", name: spec.unit },
      series: spec.series.map(function (s, i) {
        var data = s.data.map(function (v, k) {
          return s.levels ? { value: v, itemStyle: { color: colours[s.levels[k]] } } : v;
        });
        if (spec.stack) { return { name: s.name, type: "bar", stack: "all", data: data }; }
        return { name: s.name, type: i === 0 ? "bar" : "line", data: data, symbolSize: 8,
                 lineStyle: { type: i === 1 ? "dashed" : "dotted" } };
      })
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();

// Waterfall: data-waterfall holds {categories, base, total, rise, fall, names, unit}; the base
// bar is invisible and the others stand on it.
(function () {
  "use strict";
  document.querySelectorAll("[data-waterfall]").forEach(function (el) {
    var spec = JSON.parse(el.dataset.waterfall);
    var chart = echarts.init(el, null, { renderer: "svg" });
    var bar = function (name, data, colour) {
      return { name: name, type: "bar", stack: "w", data: data, itemStyle: { color: colour },
               label: { show: true, position: "top", formatter: function (p) {
                 return p.value == null ? "" : Math.round(p.value).toLocaleString(); } } };
    };
    chart.setOption({
      animation: false,
      tooltip: { trigger: "axis", axisPointer: { type: "shadow" } },
      legend: { top: 0, data: spec.names },
      grid: { left: 80, right: 24, top: 40, bottom: 40 },
      xAxis: { type: "category", data: spec.categories, axisLabel: { interval: 0 } },
      yAxis: { type: "value", name: spec.unit },
      series: [
        { type: "bar", stack: "w", data: spec.base, silent: true,
          itemStyle: { color: "transparent" }, tooltip: { show: false } },
        bar(spec.names[0], spec.total, "#3b6ea5"),
        bar(spec.names[1], spec.rise, "#c0392b"),
        bar(spec.names[2], spec.fall, "#2e8b57")
      ]
    });
    el.dataset.rendered = "true";
    window.addEventListener("resize", function () { chart.resize(); });
  });
})();
