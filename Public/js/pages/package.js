// "/packages/{id}": the versions newest first with size, short sha256, verdict and download link.
import { apiGet, query } from "../api.js";
import { fill, h, path } from "../dom.js";
import { formatCount, formatSeconds, formatSize, shortHash } from "../format.js";
import { copyButton, table, timeAgo, verdictLink } from "../widgets.js";
import { lineChart } from "../charts.js";

const PAGE = 100;

export async function renderPackage(main, ctx, packageId) {
  const skip = Math.max(0, parseInt(new URLSearchParams(location.search).get("skip") ?? "0", 10) || 0);
  const page = await apiGet(`${path("api", "packages", packageId, "versions")}${query({ skip, take: PAGE })}`);
  if (ctx.stale()) return;
  const shownId = page.items[0]?.packageId ?? packageId;
  document.title = `${shownId} · BackupFeed`;

  const versions = h("div", { id: "versions", "aria-live": "polite" });
  const badgeUrl = `/badge/${encodeURIComponent(shownId)}.svg`;
  main.append(
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/" }, "Packages"), " / "),
    h("h1", {}, shownId),
    h(
      "p",
      { class: "badge-line" },
      h("img", { src: badgeUrl, alt: `verification badge of ${shownId}`, height: "20", onerror: (e) => (e.target.hidden = true) }),
      " ",
      h("code", {}, `![backup](${location.origin}${badgeUrl})`),
      " ",
      copyButton(`![backup](${location.origin}${badgeUrl})`, "Copy badge Markdown"),
    ),
    versions,
  );
  render(page);
  showFreshness().catch(() => {});
  showTrends().catch(() => {});

  // Restore time, size and rows of the last 90 versions: a trend is seen, not read. Failed runs and drops past
  // the policy's maxRowDropPercent are the red points.
  async function showTrends() {
    const trend = await apiGet(`${path("api", "packages", packageId, "trend")}${query({ take: 90 })}`);
    if (ctx.stale() || trend.points.length < 2) return;
    const failed = (p) => p.verdict === "failed" || p.verdict === "error";
    const charts = [
      lineChart("Restore time per version", trend.points.map((p) => ({ label: p.version, value: p.restoreSeconds ?? null, bad: failed(p), note: p.verdict })), formatSeconds),
      lineChart("Backup size per version", trend.points.map((p) => ({ label: p.version, value: p.size, bad: p.sizeDrop, note: p.sizeDrop ? `smaller by more than ${trend.maxRowDropPercent} %` : "" })), formatSize),
      lineChart("Rows per version", trend.points.map((p) => ({ label: p.version, value: p.totalRows ?? null, bad: p.rowDrop || failed(p), note: p.rowDrop ? `fewer rows by more than ${trend.maxRowDropPercent} %` : p.verdict })), formatCount),
    ].filter(Boolean);
    if (charts.length === 0) return;
    versions.before(h("section", { class: "trends", "aria-label": "Trends" },
      h("h2", {}, "Trends"),
      ...charts.map((chart) => h("figure", {}, h("figcaption", {}, chart.getAttribute("aria-label")), chart))));
  }

  // A stale package says so above its versions: that is the first thing to act on.
  async function showFreshness() {
    const freshness = await apiGet(`${path("api", "packages", packageId, "freshness")}`);
    if (ctx.stale()) return;
    if (freshness.overdue) {
      const arrived = freshness.arrival?.lastArrivalAt ? timeAgo(freshness.arrival.lastArrivalAt, "the last one arrived ") : "none has arrived yet";
      versions.before(h("p", { class: "stale-warning", role: "status" }, h("span", { class: "badge badge-stale" }, "overdue"), " ",
        `No new backup of this package in the last ${freshness.arrival?.expectEvery}; `, arrived, "."));
    }
    if (!freshness.stale) return;
    const hours = freshness.freshness?.maxAgeHours;
    const last = freshness.lastVerifiedAt ? timeAgo(freshness.lastVerifiedAt, "last passed verification ") : "no verification has passed yet";
    versions.before(h("p", { class: "stale-warning", role: "status" }, h("span", { class: "badge badge-stale" }, "stale"), " ",
      `No backup of this package passed verification in the last ${hours} hours; `, last, "."));
  }

  function render(page) {
    if (page.total === 0) {
      fill(versions, h("p", { class: "empty" }, "This package has no versions."));
      return;
    }
    const rows = page.items.map((v) => [
      h("span", {}, h("a", { href: path("packages", v.packageId, v.version) }, v.version), v.isPrerelease ? h("span", { class: "tag prerelease" }, "prerelease") : null),
      timeAgo(v.published),
      formatSize(v.size),
      h("span", { class: "hash" }, h("code", { title: v.sha256 }, shortHash(v.sha256)), " ", copyButton(v.sha256, "Copy sha256")),
      verdictLink(v.packageId, v.version, v.verification),
      // Built from the ID and version rather than taken from the API, so no URL from data is ever followed.
      h("a", { href: path("api", "packages", v.packageId, v.version, "download"), download: v.filename ?? "" }, "Download"),
    ]);
    fill(
      versions,
      table(`${formatCount(page.total)} version${page.total === 1 ? "" : "s"}, newest first`, ["Version", "Published", "Size", "SHA-256", "Verdict", "Download"], rows, { class: "versions" }),
      h("p", { class: "hint" }, "Downloads need an API key with read scope; each version page shows the curl command."),
      page.total > skip + PAGE ? h("p", {}, h("a", { href: `${path("packages", packageId)}?skip=${skip + PAGE}` }, "Older versions →")) : null,
    );
    poll(page);
  }

  // Redraw only on change: a redraw moves keyboard focus and makes screen readers read the table again.
  function poll(shown) {
    const active = shown.items.some((v) => v.verification?.status === "queued" || v.verification?.status === "running");
    ctx.pollWhile(active, async () => {
      const next = await apiGet(`${path("api", "packages", packageId, "versions")}${query({ skip, take: PAGE })}`);
      if (ctx.stale()) return;
      if (JSON.stringify(next) === JSON.stringify(shown)) poll(shown);
      else render(next);
    });
  }
}
