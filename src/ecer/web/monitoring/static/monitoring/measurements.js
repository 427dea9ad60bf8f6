// Draws #measurement-chart from its data-measurements attribute:
// {unit, series: [{name, data: [[iso time, value, flag]]}], limits: [{name, value}]}.
// Values not flagged N are grey; limits are dashed red lines.
// Times come with the platform zone's offset ("2024-03-05T00:00:00+08:00") and are shown as
// that wall-clock time whatever the viewer's zone: ECharts formats times in the browser's zone
// unless useUTC is set, so each time's wall-clock part is read as UTC and the chart uses UTC.
(function () {
  "use strict";
  var el = document.getElementById("measurement-chart");
  if (!el) { return; }
  var spec = JSON.parse(el.dataset.measurements);
  function wallClockAsUTC(iso) { return Date.parse(iso.slice(0, 19) + "Z"); }
  var top = 0;
  spec.limits.forEach(function (l) { top = Math.max(top, l.value); });
  var series = spec.series.map(function (s, index) {
    var line = {
      name: s.name, type: "line", showSymbol: true, symbolSize: 5, connectNulls: false,
      data: s.data.map(function (p) {
        var item = { value: [wallClockAsUTC(p[0]), p[1]] };
        if (p[2] !== "N") { item.itemStyle = { color: "#9e9e9e" }; }
        return item;
      })
    };
    if (index === 0 && spec.limits.length) {
      line.markLine = {
        symbol: "none", lineStyle: { color: "#c62828", type: "dashed", width: 2 },
        label: { formatter: "{b} {c}" },
        data: spec.limits.map(function (l) { return { name: l.name, yAxis: l.value }; })
      };
    }
    return line;
  });
  // A round axis top (1, 2 or 5 × a power of ten steps) that keeps the limit line in view.
  function niceCeil(x) {
    if (!(x > 0)) { return x; }
    var step = Math.pow(10, Math.floor(Math.log10(x))) / 2;
    return Math.ceil(x / step) * step;
  }
  var chart = echarts.init(el, null, { renderer: "canvas" });
  chart.setOption({
    animation: false,
    useUTC: true,
    tooltip: { trigger: "axis" },
    legend: { top: 0 },
    grid: { left: 60, right: 90, top: 40, bottom: 30 },
    xAxis: { type: "time" },
    yAxis: { type: "value", name: spec.unit, max: function (v) { return niceCeil(Math.max(v.max, top * 1.1)); } },
    series: series
  });
  el.dataset.rendered = "true";
  window.addEventListener("resize", function () { chart.resize(); });
})();
