// Draws every <div data-chart="ID"> with the ECharts option in <script id="ID" type="application/json">.
document.querySelectorAll("[data-chart]").forEach(function (el) {
  var option = JSON.parse(document.getElementById(el.dataset.chart).textContent);
  var chart = echarts.init(el, null, { renderer: "svg" });
  chart.setOption(option);
  window.addEventListener("resize", function () { chart.resize(); });
  el.dataset.ready = "1";
});
