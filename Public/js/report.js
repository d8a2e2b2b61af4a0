// One verification report: verdict, checks with reasons, tables with row counts, timings, engine,
// collation mappings and the restore log excerpt.
import { h } from "./dom.js";
import { formatChange, formatCount, formatSeconds } from "./format.js";
import { badge, table, timeAgo } from "./widgets.js";

export function isActive(report) {
  return report?.status === "queued" || report?.status === "running";
}

/** A run that has not ended yet: what it is doing and since when; the page polls until it ends. */
export function renderActive(report) {
  const since = report.status === "running" ? report.startedAt : report.queuedAt;
  return h(
    "section",
    { class: "report active", id: "active-run", "aria-labelledby": "active-title" },
    h("h2", { id: "active-title" }, `Verification #${report.id} `, badge(report.status)),
    h("p", {}, report.status === "running" ? "Restoring into a disposable database, started " : "Waiting for the worker, queued ", timeAgo(since), "."),
    h("p", { class: "hint" }, "This page updates by itself when the run ends."),
  );
}

export function renderReport(report, heading) {
  const engine = report.engine ? `${report.engine.name} ${report.engine.version}` : "—";
  return h(
    "section",
    { class: `report verdict-${report.status}`, id: "report", "aria-labelledby": "report-title" },
    h("h2", { id: "report-title" }, `${heading} #${report.id} `, badge(report.status)),
    report.summary ? h("p", { class: "summary" }, report.summary) : null,
    h(
      "dl",
      { class: "meta" },
      h("dt", {}, "Engine"), h("dd", {}, engine),
      report.format ? [h("dt", {}, "Format"), h("dd", {}, report.format)] : null,
      report.dumpEntry ? [h("dt", {}, "Dump entry"), h("dd", {}, h("code", {}, report.dumpEntry))] : null,
      report.layers?.length ? [h("dt", {}, "Layers"), h("dd", { class: "layers" }, report.layers.join(" › "))] : null,
      report.decryptedBy ? [h("dt", {}, "Decrypted with"), h("dd", {}, h("code", {}, report.decryptedBy))] : null,
      report.dumpTool ? [h("dt", {}, "Written by"), h("dd", {}, report.dumpTool)] : null,
      report.sourceServer ? [h("dt", {}, "Source server"), h("dd", {}, report.sourceServer)] : null,
      h("dt", {}, "Finished"), h("dd", {}, timeAgo(report.finishedAt)),
    ),
    checks(report.checks ?? []),
    tables(report.tables ?? []),
    timings(report.timings ?? {}),
    mappings(report.mappings ?? []),
    log(report.logExcerpt),
  );
}

function checks(list) {
  if (list.length === 0) return h("p", { class: "muted" }, "No checks recorded.");
  return table(
    "Checks",
    ["Check", "Status", "Reason", "Time"],
    list.map((c) => [c.name, badge(c.status), c.detail ?? "", formatSeconds(c.seconds)]),
    { class: "checks" },
  );
}

function tables(list) {
  if (list.length === 0) return null;
  // Without any previous count there was no earlier passed version to compare with.
  const compared = list.some((t) => typeof t.previousRows === "number");
  const rows = list.map((t) => {
    const change = formatChange(t.rows, t.previousRows);
    const cls = change?.startsWith("−") ? "change down" : change?.startsWith("+") ? "change up" : "change";
    return [h("code", {}, t.name), formatCount(t.rows), compared ? formatCount(t.previousRows) : null, compared ? h("span", { class: cls }, change ?? "new") : null].filter((c) => c !== null);
  });
  const headers = compared ? ["Table", "Rows", "Previous passed", "Change"] : ["Table", "Rows"];
  return table(compared ? "Tables (compared with the previous passed version)" : "Tables", headers, rows, { class: "tables" });
}

// The API sends timings as an object, whose key order JSON does not keep: show them in pipeline order.
const stageOrder = ["integrity", "detect", "completeness", "provision", "start", "restore", "inspect", "compare", "teardown"];

function timings(object) {
  const rank = (stage) => (stageOrder.includes(stage) ? stageOrder.indexOf(stage) : stageOrder.length);
  const entries = Object.entries(object).filter(([stage]) => stage !== "total").sort(([a], [b]) => rank(a) - rank(b));
  if (entries.length === 0) return null;
  const rows = entries.map(([stage, seconds]) => [stage, formatSeconds(seconds)]);
  if (typeof object.total === "number") rows.push([h("strong", {}, "total"), h("strong", {}, formatSeconds(object.total))]);
  return table("Stage timings", ["Stage", "Time"], rows, { class: "timings" });
}

function mappings(list) {
  if (list.length === 0) return null;
  return table(
    "Collation mappings (rewritten while restoring)",
    ["From", "To", "Occurrences"],
    list.map((m) => [h("code", {}, m.from), h("code", {}, m.to), formatCount(m.occurrences)]),
    { class: "mappings" },
  );
}

function log(text) {
  if (!text) return null;
  return h("details", { class: "log", open: true }, h("summary", {}, "Restore log (end)"), h("pre", {}, text));
}
