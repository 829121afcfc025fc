// Live run page and run comparison: polls the run's status JSON and draws the curves with uPlot.
// The page is complete without this script; it only adds the live updates and the charts.
(function () {
  "use strict";

  // Translated words come from the page (data-label-* on #run), English when absent.
  function label(name, fallback) {
    var holder = document.getElementById("run");
    return (holder && holder.getAttribute("data-label-" + name)) || fallback;
  }

  // Metric names (val_accuracy, ...) as the page's language writes them.
  var metricNames = (function () {
    var holder = document.getElementById("metric-labels");
    return holder ? JSON.parse(holder.textContent) : {};
  })();
  function metricName(key) { return metricNames[key] || key; }

  function el(tag, text) { var e = document.createElement(tag); if (text !== undefined) e.textContent = text; return e; }

  function seriesOf(metrics, key) {
    var xs = [], ys = [];
    metrics.forEach(function (p) { if (typeof p[key] === "number") { xs.push(p.step); ys.push(p[key]); } });
    return [xs, ys];
  }

  function chart(container, metrics) {
    if (!window.uPlot || !container) return null;
    var loss = seriesOf(metrics, "loss"), acc = seriesOf(metrics, "val_accuracy"), vloss = seriesOf(metrics, "val_loss");
    // One x axis: steps where loss was reported; validation points are aligned to those steps.
    var steps = loss[0], accAt = {}, vlossAt = {};
    acc[0].forEach(function (s, i) { accAt[s] = acc[1][i]; });
    vloss[0].forEach(function (s, i) { vlossAt[s] = vloss[1][i]; });
    var data = [steps, loss[1], steps.map(function (s) { return s in vlossAt ? vlossAt[s] : null; }),
                steps.map(function (s) { return s in accAt ? accAt[s] : null; })];
    var opts = {
      width: Math.min(container.clientWidth || 640, 900), height: 300,
      scales: { x: { time: false }, acc: { range: [0, 1] } },
      series: [{ label: metricName("step") },
               { label: metricName("loss"), stroke: "#0b5cad", width: 1.5 },
               { label: metricName("val_loss"), stroke: "#b35c00", width: 2, spanGaps: true, points: { show: true } },
               { label: metricName("val_accuracy"), stroke: "#1a7f37", width: 2, scale: "acc", spanGaps: true, points: { show: true } }],
      axes: [{ label: label("step", "step") }, { label: label("loss", "loss") },
             { side: 1, scale: "acc", label: label("accuracy", "accuracy"), grid: { show: false } }]
    };
    container.textContent = "";
    return new uPlot(opts, data, container);
  }

  function table(rows, header) {
    var t = el("table"), body = el("tbody");
    if (header) { var h = el("thead"), tr = el("tr"); header.forEach(function (c) { tr.appendChild(el("th", c)); }); h.appendChild(tr); t.appendChild(h); }
    rows.forEach(function (r) { var tr = el("tr"); r.forEach(function (c) { tr.appendChild(el("td", String(c))); }); body.appendChild(tr); });
    t.appendChild(body);
    return t;
  }

  function showResults(state) {
    var fm = document.getElementById("final-metrics"), dr = document.getElementById("demo-results");
    if (!fm || !dr) return;
    fm.textContent = ""; dr.textContent = "";
    var keys = Object.keys(state.final_metrics || {});
    if (keys.length) fm.appendChild(table(keys.map(function (k) { var v = state.final_metrics[k]; return [metricName(k), typeof v === "number" ? v.toFixed(4) : v]; })));
    var r = state.results || {};
    if (r.confusion_matrix) {
      dr.appendChild(el("h3", label("matrix", "Confusion matrix (rows: true digit, columns: predicted)")));
      var matrix = table(r.confusion_matrix.map(function (row, i) { return [i].concat(row); }), [""].concat(r.confusion_matrix.map(function (_, i) { return i; })));
      matrix.className = "matrix";
      var wrap = el("div"); wrap.className = "table-wrap"; wrap.appendChild(matrix);  // scrolls by itself on a phone
      dr.appendChild(wrap);
    }
    if (r.predictions) {
      dr.appendChild(el("h3", label("predictions", "Predictions on held-out sentences")));
      dr.appendChild(table(r.predictions.map(function (p) { return [p.text, p.label || p.predicted, p.expected || p.true_label || "", typeof p.probability === "number" ? p.probability.toFixed(3) : ""]; })));
    }
    var samples = r.samples || (state.samples || []).map(function (s) { return s.text; });
    if (samples && samples.length) {
      dr.appendChild(el("h3", label("samples", "Sampled text")));
      samples.slice(-3).forEach(function (s) { dr.appendChild(el("pre", typeof s === "string" ? s : (s.text || JSON.stringify(s)))); });
    }
  }

  function update(state) {
    var set = function (id, v) { var e = document.getElementById(id); if (e) e.textContent = v; };
    set("run-status", state.status_label || state.status); set("run-device", state.device || "—");
    var queue = document.getElementById("run-queue");
    var place = state.queue ? state.queue.text : "";
    if (queue) { queue.textContent = place; queue.hidden = !place; }
    set("run-step", state.step); set("run-total", state.total_steps);
    var p = document.getElementById("run-progress"); if (p) p.value = state.progress;
    var err = document.getElementById("run-error");
    if (err && state.error) { err.hidden = false; err.textContent = state.error; }
    if (state.metrics && state.metrics.length) chart(document.getElementById("loss-chart"), state.metrics);
    showResults(state);
    if (state.finished) { var c = document.getElementById("cancel-form"); if (c) c.hidden = true; }
  }

  var run = document.getElementById("run");
  if (run) {
    var initial = JSON.parse(document.getElementById("run-initial").textContent);
    update(initial);
    if (!initial.finished) {
      var url = run.getAttribute("data-status-url");
      var timer = setInterval(function () {
        fetch(url, { headers: { Accept: "application/json" }, credentials: "same-origin" })
          .then(function (r) { return r.ok ? r.json() : null; })
          .then(function (state) { if (!state) return; update(state); if (state.finished) clearInterval(timer); })
          .catch(function () { /* a missed poll is retried on the next tick */ });
      }, 1000);
    }
  }

  var compare = document.getElementById("compare-series");
  var container = document.getElementById("compare-chart");
  if (compare && window.uPlot && container) {
    var runs = JSON.parse(compare.textContent);
    var allSteps = {};
    runs.forEach(function (r) { r.metrics.forEach(function (p) { if (typeof p.loss === "number") allSteps[p.step] = true; }); });
    var steps = Object.keys(allSteps).map(Number).sort(function (a, b) { return a - b; });
    var palette = ["#0b5cad", "#b35c00", "#1a7f37", "#8250df", "#cf222e", "#57606a"];
    var data = [steps], series = [{ label: container.getAttribute("data-label-x") || "step" }];
    runs.forEach(function (r, i) {
      var at = {}; r.metrics.forEach(function (p) { if (typeof p.loss === "number") at[p.step] = p.loss; });
      data.push(steps.map(function (s) { return s in at ? at[s] : null; }));
      series.push({ label: r.label, stroke: palette[i % palette.length], spanGaps: true });
    });
    var axes = [{ label: container.getAttribute("data-label-x") || "step" },
                { label: container.getAttribute("data-label-y") || "loss" }];
    if (steps.length) new uPlot({ width: Math.min(container.clientWidth || 640, 900), height: 300, scales: { x: { time: false } }, series: series, axes: axes }, data, container);
  }
})();
