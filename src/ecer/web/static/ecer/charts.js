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
