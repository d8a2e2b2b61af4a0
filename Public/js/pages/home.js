// "/": every package with its latest version, latest verdict, when it was last verified, total size.
import { apiGet, query } from "../api.js";
import { fill, h, path } from "../dom.js";
import { formatCount, formatSize } from "../format.js";
import { table, timeAgo, verdictLink } from "../widgets.js";

const PAGE = 50;

export async function renderHome(main, ctx) {
  const params = new URLSearchParams(location.search);
  let filter = params.get("filter") ?? "";
  let skip = Math.max(0, parseInt(params.get("skip") ?? "0", 10) || 0);

  const input = h("input", { type: "search", id: "filter", name: "filter", value: filter, placeholder: "e.g. crm", autocomplete: "off" });
  const results = h("div", { id: "packages", "aria-live": "polite" });
  main.append(
    h("h1", {}, "Packages"),
    h(
      "form",
      { class: "filter", role: "search", onsubmit: (e) => e.preventDefault() },
      h("label", { for: "filter" }, "Filter packages"),
      input,
    ),
    results,
  );

  let shownJson = "";
  async function load() {
    const page = await apiGet(`/api/packages${query({ filter, skip, take: PAGE })}`);
    if (ctx.stale()) return;
    // Redraw only on change: a redraw moves keyboard focus and makes screen readers read the table again.
    const json = JSON.stringify(page);
    if (json !== shownJson) fill(results, list(page));
    shownJson = json;
    ctx.pollWhile(page.items.some((p) => isActive(p.latestVerification)), load);
  }

  function list(page) {
    if (page.total === 0) {
      return h("p", { class: "empty" }, filter ? `No package matches “${filter}”.` : "No backups pushed yet.");
    }
    const rows = page.items.map((p) => [
      h("a", { href: path("packages", p.packageId) }, p.packageId),
      p.latestVersion ? h("a", { href: path("packages", p.packageId, p.latestVersion) }, p.latestVersion) : "—",
      p.latestVersion ? verdictLink(p.packageId, p.latestVersion, p.latestVerification) : "—",
      lastVerified(p),
      formatCount(p.versionCount),
      formatSize(p.totalSize),
    ]);
    return [
      table(`${formatCount(page.total)} package${page.total === 1 ? "" : "s"}`, ["Package", "Latest version", "Verdict", "Last verified", "Versions", "Total size"], rows, { class: "packages" }),
      pager(page),
    ];
  }

  function pager(page) {
    if (page.total <= PAGE) return null;
    const link = (label, to) => h("a", { href: `/${query({ filter, skip: to || null })}`, onclick: (e) => { e.preventDefault(); skip = to; update(); } }, label);
    return h(
      "nav",
      { class: "pager", "aria-label": "Pages" },
      skip > 0 ? link("← Previous", Math.max(0, skip - PAGE)) : null,
      h("span", {}, `${skip + 1}–${Math.min(skip + PAGE, page.total)} of ${page.total}`),
      skip + PAGE < page.total ? link("Next →", skip + PAGE) : null,
    );
  }

  // The filter lives in the URL too, so a filtered list can be bookmarked and survives a reload.
  function update() {
    history.replaceState(null, "", `/${query({ filter, skip: skip || null })}`);
    load().catch(ctx.fail);
  }

  let timer;
  input.addEventListener("input", () => {
    clearTimeout(timer);
    timer = setTimeout(() => {
      filter = input.value.trim();
      skip = 0;
      update();
    }, 200);
  });

  await load();
}

function isActive(verification) {
  return verification?.status === "queued" || verification?.status === "running";
}

function lastVerified(p) {
  const at = p.lastVerifiedAt ?? (isFinished(p.latestVerification) ? p.latestVerification.finishedAt : null);
  const when = at ? timeAgo(at, "verified ") : h("span", { class: "muted" }, isActive(p.latestVerification) ? `${p.latestVerification.status}…` : "never");
  const badges = [p.stale ? staleBadge(p.freshness) : null, p.overdue ? overdueBadge(p.arrival) : null].filter(Boolean);
  return badges.length ? h("span", {}, when, ...badges.flatMap((b) => [" ", b])) : when;
}

// No new backup arrived within the policy's expectEvery: the backup job itself stopped.
export function overdueBadge(arrival) {
  const every = arrival?.expectEvery;
  return h("span", { class: "badge badge-stale", title: every ? `no new backup in the last ${every}` : "overdue" }, "overdue");
}

// The policy's maxAgeHours passed without a passed verification: the newest proven backup is too old.
export function staleBadge(freshness) {
  const hours = freshness?.maxAgeHours;
  return h("span", { class: "badge badge-stale", title: hours ? `no passed verification in the last ${hours} h` : "stale" }, "stale");
}

function isFinished(v) {
  return v && v.finishedAt && !isActive(v);
}
