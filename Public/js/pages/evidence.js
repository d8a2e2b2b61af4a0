// The period evidence report (/evidence?from=…&to=…&package=…): what an auditor takes away, printable.
// Packages with no verification in the period come first, as the API sorts them: they are the finding.
import { apiGet, query } from "../api.js";
import { h, fill, path } from "../dom.js";
import { formatSeconds } from "../format.js";
import { badge, table } from "../widgets.js";

function day(date) {
  return date.toISOString().slice(0, 10);
}

export async function renderEvidence(main, ctx) {
  const params = new URLSearchParams(location.search);
  const to = params.get("to") || day(new Date(Date.now() + 86400000));
  const from = params.get("from") || day(new Date(Date.now() - 30 * 86400000));
  const pkg = params.get("package") || "";
  document.title = `Evidence ${from} – ${to} · BackupFeed`;
  const report = await apiGet(`/api/reports/evidence${query({ from, to, package: pkg })}`);
  if (ctx.stale()) return;

  const untested = report.packages.filter((p) => p.untested);
  const form = h("form", { class: "evidence-period no-print", method: "get", action: "/evidence" },
    h("label", {}, "From ", h("input", { type: "date", name: "from", value: from })), " ",
    h("label", {}, "To ", h("input", { type: "date", name: "to", value: to })), " ",
    h("label", {}, "Package ", h("input", { type: "text", name: "package", value: pkg, placeholder: "all" })), " ",
    h("button", { type: "submit" }, "Show"), " ",
    h("a", { href: `/api/reports/evidence${query({ from, to, package: pkg, format: "csv" })}` }, "CSV"), " ",
    h("button", { type: "button", onclick: () => window.print() }, "Print"));

  fill(main,
    h("h1", {}, "Backup verification evidence"),
    h("p", { class: "evidence-period-line" }, `Period ${report.from.slice(0, 10)} to ${report.to.slice(0, 10)}; generated ${report.generatedAt}.`),
    form,
    h("p", { class: untested.length ? "stale-warning" : "" },
      untested.length
        ? `${untested.length} package${untested.length === 1 ? "" : "s"} had no verification at all in this period: ${untested.map((p) => p.packageId).join(", ")}.`
        : "Every package was verified at least once in this period."),
    table("Summary by package", ["Package", "Runs", "Pass rate", "Last proven version", "Longest gap without a proven backup", "Restore time (median / max)"],
      report.packages.map((p) => [
        h("a", { href: path("packages", p.packageId) }, p.packageId),
        p.untested ? "none" : `${p.verifications.length} (${p.passed} passed, ${p.failed} failed, ${p.errors} error)`,
        p.passRate === null || p.passRate === undefined ? "—" : `${Math.round(p.passRate * 1000) / 10} %`,
        p.lastProvenVersion ?? "none",
        `${p.longestGapHours.toFixed(1)} h`,
        p.restoreSecondsMedian === null || p.restoreSecondsMedian === undefined ? "—" : `${formatSeconds(p.restoreSecondsMedian)} / ${formatSeconds(p.restoreSecondsMax)}`,
      ]), { class: "evidence-summary" }),
    report.packages.filter((p) => !p.untested).map((p) =>
      h("section", { class: "evidence-package" },
        h("h2", {}, p.packageId),
        table(null, ["Finished", "Version", "Verdict", "Reason", "Engine", "Duration", "Receipt SHA-256"],
          p.verifications.map((v) => [
            v.finishedAt.replace("T", " ").replace("Z", " UTC"), v.version, badge(v.verdict), v.reason,
            v.engine ? `${v.engine} ${v.engineVersion ?? ""}` : "—", formatSeconds(v.durationSeconds),
            v.receiptSHA256 ? h("code", { class: "hash" }, v.receiptSHA256) : "—",
          ])))),
  );
}
