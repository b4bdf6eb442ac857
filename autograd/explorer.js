// The backprop explorer's script (inlined into the page by autograd/html.py).
// The schedule (JSON in #schedule) lists the engine's backward steps; the page state is
// "how many steps are done", and every view is recomputed from it, so Back and Reset are exact.
(function () {
  "use strict";
  const data = JSON.parse(document.getElementById("schedule").textContent);
  const steps = data.steps;
  const $ = (id) => document.getElementById(id);
  const gradText = {};   // node id -> the <text> of its "grad ..." field
  const edgesInto = {};  // op node id -> the SVG edges drawn into it
  let done = 0;
  let timer = null;

  for (const edge of document.querySelectorAll("#graph g.edge")) {
    const title = edge.querySelector("title");
    const target = title.textContent.split("->")[1];
    (edgesInto[target] = edgesInto[target] || []).push(edge);
    title.remove();
  }
  for (const id of Object.keys(data.nodes)) {
    for (const g of [$(id), $(id + "_op")]) {  // a Value's record and its op node
      if (!g) continue;
      const title = g.querySelector("title");
      if (title) title.remove();
      for (const t of g.querySelectorAll("text")) {
        if (t.textContent.startsWith("grad ")) gradText[id] = t;
      }
      g.addEventListener("mousemove", (event) => showTip(id, event));
      g.addEventListener("mouseleave", () => { $("tip").hidden = true; });
    }
  }

  // The gradient each node shows after the first k steps.
  function gradsAfter(k) {
    const shown = {};
    for (const [id, node] of Object.entries(data.nodes)) shown[id] = node.initial;
    for (let s = 0; s < k; s++) {
      for (const e of steps[s].edges) shown[e.parent] = e.shown;
    }
    return shown;
  }

  function mark(id, cls) {
    const g = id && $(id);
    if (g) g.classList.add(cls);
  }

  function update() {
    const shown = gradsAfter(done);
    for (const [id, t] of Object.entries(gradText)) {
      t.textContent = "grad " + shown[id];
      t.classList.remove("changed");
    }
    for (const el of document.querySelectorAll("#graph .active, #graph .parent")) {
      el.classList.remove("active", "parent");
    }
    const lines = $("lines");
    lines.textContent = "";
    if (done === 0) {
      const hint = document.createElement("span");
      hint.className = "hint";
      hint.textContent = "The backward pass starts at the output with d" + data.output +
        "/d" + data.output + " = 1. Press Step (or the right arrow) to apply the chain rule " +
        "one node at a time, in the engine's order.";
      lines.appendChild(hint);
    } else {
      const step = steps[done - 1];
      mark(step.node, "active");
      mark(step.node && step.node + "_op", "active");
      for (const edge of (step.node && edgesInto[step.node + "_op"]) || []) {
        edge.classList.add("active");
      }
      for (const e of step.edges) {
        mark(e.parent, "parent");
        if (gradText[e.parent]) gradText[e.parent].classList.add("changed");
      }
      lines.textContent = step.edges.map((e) => e.text).join("\n");
    }
    $("status").textContent = "step " + done + " of " + steps.length +
      (done === steps.length && done > 0 ? ": every gradient is filled in" : "");
    $("back").disabled = done === 0;
    $("step").disabled = done === steps.length;
    $("reset").disabled = done === 0;
  }

  function go(k) {
    done = Math.max(0, Math.min(steps.length, k));
    if (done === steps.length) stop();
    update();
  }

  function stop() {
    clearInterval(timer);
    timer = null;
    $("play").textContent = "Play";
  }

  function play() {
    if (timer) return stop();
    if (done === steps.length) done = 0;
    $("play").textContent = "Pause";
    timer = setInterval(() => go(done + 1), 900);
    go(done + 1);
  }

  function showTip(id, event) {
    const node = data.nodes[id];
    const tip = $("tip");
    tip.textContent = [
      node.label ? "label: " + node.label : "name: " + node.name,
      "op: " + (node.op || "(input)"),
      "data: " + node.data,
      "grad: " + gradsAfter(done)[id],
      "id: " + id,
    ].join("\n");
    tip.style.left = event.clientX + 14 + "px";
    tip.style.top = event.clientY + 14 + "px";
    tip.hidden = false;
  }

  $("step").addEventListener("click", () => go(done + 1));
  $("back").addEventListener("click", () => { stop(); go(done - 1); });
  $("reset").addEventListener("click", () => { stop(); go(0); });
  $("play").addEventListener("click", play);
  $("fit").addEventListener("change", (e) => $("graph").classList.toggle("fit", e.target.checked));
  document.addEventListener("keydown", (event) => {
    if (event.key === "ArrowRight") { stop(); go(done + 1); event.preventDefault(); }
    if (event.key === "ArrowLeft") { stop(); go(done - 1); event.preventDefault(); }
  });
  update();
})();
