// Small SVG line charts drawn here, with nothing from outside the server: one series per chart, the failed,
// error and dropped points marked in red so that a person sees them without reading numbers.
const NS = "http://www.w3.org/2000/svg";

function svg(tag, attrs = {}, ...children) {
  const el = document.createElementNS(NS, tag);
  for (const [k, v] of Object.entries(attrs)) if (v !== undefined && v !== null) el.setAttribute(k, String(v));
  for (const c of children) if (c) el.append(c);
  return el;
}

/**
 * points: [{label, value (number or null), bad (bool), note (string)}], oldest first.
 * Returns an <svg role="img"> with a <title> a screen reader reads, or null when no point has a value.
 */
export function lineChart(title, points, format) {
  const values = points.map((p) => p.value).filter((v) => typeof v === "number" && isFinite(v));
  if (values.length === 0) return null;
  const width = 640, height = 160, left = 56, right = 12, top = 12, bottom = 24;
  const max = Math.max(...values), min = Math.min(0, ...values);
  const span = max - min || 1;
  const x = (i) => left + (points.length === 1 ? (width - left - right) / 2 : (i * (width - left - right)) / (points.length - 1));
  const y = (v) => top + (height - top - bottom) * (1 - (v - min) / span);
  const known = points.map((p, i) => ({ ...p, i })).filter((p) => typeof p.value === "number");
  const line = known.map((p, n) => `${n === 0 ? "M" : "L"}${x(p.i).toFixed(1)},${y(p.value).toFixed(1)}`).join(" ");
  const bad = known.filter((p) => p.bad);
  const chart = svg("svg", { viewBox: `0 0 ${width} ${height}`, class: "chart", role: "img", "aria-label": title },
    svg("title", {}, document.createTextNode(`${title}: ${known.length} versions, ${bad.length} marked`)),
    svg("line", { x1: left, y1: y(min), x2: width - right, y2: y(min), class: "chart-axis" }),
    svg("text", { x: left - 6, y: y(max) + 4, "text-anchor": "end", class: "chart-label" }, document.createTextNode(format(max))),
    svg("text", { x: left - 6, y: y(min), "text-anchor": "end", class: "chart-label" }, document.createTextNode(format(min))),
    svg("text", { x: left, y: height - 6, class: "chart-label" }, document.createTextNode(points[0].label)),
    svg("text", { x: width - right, y: height - 6, "text-anchor": "end", class: "chart-label" }, document.createTextNode(points[points.length - 1].label)),
    svg("path", { d: line, class: "chart-line" }),
  );
  for (const p of known) {
    const dot = svg("circle", { cx: x(p.i), cy: y(p.value), r: p.bad ? 4.5 : 2.5, class: p.bad ? "chart-bad" : "chart-dot" },
      svg("title", {}, document.createTextNode(`${p.label}: ${format(p.value)}${p.note ? ` (${p.note})` : ""}`)));
    chart.append(dot);
  }
  return chart;
}
