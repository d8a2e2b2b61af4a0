// "/packages/{id}/{version}": metadata, curl command, verification history, the latest (or chosen)
// report, and a button to queue a new verification. Polls while a run is queued or running.
import { ApiError, apiGet, apiPost, getKey, setKey } from "../api.js";
import { fill, h, path } from "../dom.js";
import { formatSize } from "../format.js";
import { isActive, renderActive, renderReport } from "../report.js";
import { badge, copyButton, table, timeAgo } from "../widgets.js";

export async function renderVersion(main, ctx, packageId, versionText) {
  const chosen = new URLSearchParams(location.search).get("report");
  const versionUrl = path("api", "packages", packageId, versionText);
  const [version, reports] = await Promise.all([apiGet(versionUrl), apiGet(`${versionUrl}/verifications`)]);
  if (ctx.stale()) return;
  document.title = `${version.packageId} ${version.version} · BackupFeed`;

  let shownJson = ""; // what the runs section shows now, to redraw only on change
  const verifySlot = h("div", { class: "verify" });
  const runs = h("div", { id: "runs" });
  main.append(
    h("nav", { class: "crumbs", "aria-label": "Breadcrumb" }, h("a", { href: "/" }, "Packages"), " / ", h("a", { href: path("packages", version.packageId) }, version.packageId), " / "),
    h("h1", {}, `${version.packageId} `, h("span", { class: "version" }, version.version), version.isPrerelease ? h("span", { class: "tag prerelease" }, "prerelease") : null),
    metadata(version),
    curl(version),
    verifySlot,
    runs,
  );
  verifySlot.append(verifyButton(version, () => refresh()));
  await show(reports);

  async function refresh() {
    const next = await apiGet(`${versionUrl}/verifications`);
    if (ctx.stale()) return;
    // Redraw only on change: a redraw moves keyboard focus and makes screen readers read it again.
    if (JSON.stringify(next) === shownJson) ctx.pollWhile(true, refresh);
    else await show(next);
  }

  async function show(list) {
    shownJson = JSON.stringify(list);
    const latest = list[0];
    let selected = list.find((r) => String(r.id) === chosen);
    if (chosen && !selected) selected = await apiGet(path("api", "verifications", chosen)).catch(() => null);
    const finished = list.find((r) => !isActive(r));
    const shown = selected && !isActive(selected) ? selected : finished;
    fill(
      runs,
      latest && isActive(latest) ? renderActive(latest) : null,
      shown ? renderReport(shown, shown === finished && !selected ? "Latest report" : "Report") : null,
      list.length === 0 ? h("p", { class: "empty" }, "Not verified yet.") : null,
      history(version, list, shown),
    );
    ctx.pollWhile(isActive(latest), refresh);
  }
}

function metadata(v) {
  return h(
    "dl",
    { class: "meta" },
    h("dt", {}, "Published"), h("dd", {}, timeAgo(v.published)),
    h("dt", {}, "Size"), h("dd", {}, `${formatSize(v.size)} (${v.size.toLocaleString("en-US")} bytes)`),
    h("dt", {}, "File"), h("dd", {}, h("code", {}, v.filename)),
    h("dt", {}, "SHA-256"), h("dd", {}, h("code", { class: "wrap" }, v.sha256), " ", copyButton(v.sha256, "Copy sha256")),
    h("dt", {}, "SHA-1"), h("dd", {}, h("code", { class: "wrap" }, v.sha1)),
  );
}

/** The command a person pastes into a shell; the key stays a variable so it never lands in history. */
function curl(v) {
  const url = `${location.origin}${path("api", "packages", v.packageId, v.version, "download")}`;
  const command = `curl -fL -H "X-Octopus-ApiKey: $BACKUPFEED_KEY" -o '${v.filename.replace(/'/g, "'\\''")}' '${url}'`;
  return h(
    "section",
    { class: "download", "aria-labelledby": "download-title" },
    h("h2", { id: "download-title" }, "Download"),
    h("pre", { class: "command" }, h("code", {}, command)),
    h("p", {}, copyButton(command, "Copy curl command"), " ", h("a", { href: path("api", "packages", v.packageId, v.version, "download") }, "Download in the browser"), h("span", { class: "hint" }, " (needs a key with read scope)")),
  );
}

function history(v, list, shown) {
  if (list.length === 0) return null;
  const base = path("packages", v.packageId, v.version);
  const rows = list.map((r) => [
    r === shown ? h("span", { "aria-current": "true" }, `#${r.id} (shown)`) : h("a", { href: `${base}?report=${encodeURIComponent(r.id)}` }, `#${r.id}`),
    badge(r.status),
    timeAgo(r.queuedAt),
    timeAgo(r.finishedAt),
    r.summary ?? "",
  ]);
  return h("section", { class: "history", "aria-labelledby": "history-title" }, h("h2", { id: "history-title" }, "Verification history"), table(null, ["Run", "Status", "Queued", "Finished", "Summary"], rows, { class: "runs" }));
}

/** "Verify again": asks for a key with push scope (kept for the tab), queues a run, then the page polls. */
function verifyButton(v, onQueued) {
  const slot = h("div", {});
  const open = h("button", { type: "button", class: "primary", id: "verify-again" }, "Verify again");
  const input = h("input", { type: "password", id: "push-key", name: "push-key", autocomplete: "off", required: true, value: getKey("push") ?? "" });
  const message = h("p", { class: "message", role: "status" });
  const form = h(
    "form",
    { class: "key-form", hidden: true },
    h("label", { for: "push-key" }, "API key with push scope"),
    input,
    h("button", { type: "submit", class: "primary" }, "Queue verification"),
    h("button", { type: "button", onclick: () => { form.hidden = true; open.hidden = false; open.focus(); } }, "Cancel"),
  );
  open.addEventListener("click", () => {
    open.hidden = true;
    form.hidden = false;
    input.focus();
  });
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    message.textContent = "Queueing…";
    try {
      const queued = await apiPost(`${path("api", "packages", v.packageId, v.version, "verifications")}`, input.value.trim());
      setKey("push", input.value.trim());
      message.textContent = `Queued verification #${queued?.id ?? ""}.`;
      form.hidden = true;
      open.hidden = false;
      await onQueued();
    } catch (err) {
      message.textContent = pushError(err);
    }
  });
  return fill(slot, open, form, message);
}

function pushError(err) {
  if (!(err instanceof ApiError)) return `Could not queue: ${err}`;
  if (err.status === 401) return "That key was not accepted: check it and try again.";
  if (err.status === 403) return "That key cannot queue verifications: it needs push scope.";
  return `Could not queue: ${err.message}`;
}
