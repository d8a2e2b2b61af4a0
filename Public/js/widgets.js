// Small pieces shared by the pages: verdict badges, times, copy buttons, tables.
import { h, path } from "./dom.js";
import { absoluteTime, relativeTime } from "./format.js";

const known = new Set(["passed", "failed", "error", "queued", "running", "warning", "skipped"]);

/** The verdict word in a coloured pill; the word itself carries the meaning (not only the colour). */
export function badge(status) {
  const word = typeof status === "string" && status ? status : "unverified";
  const kind = known.has(word) ? word : "unknown";
  return h("span", { class: `badge badge-${kind}` }, word);
}

/** A verdict badge that links to the version page showing that report. */
export function verdictLink(packageId, version, verification) {
  if (!verification) return badge(null);
  return h(
    "a",
    { class: "badge-link", href: `${path("packages", packageId, version)}?report=${encodeURIComponent(verification.id)}`, title: verification.summary ?? "" },
    badge(verification.status),
  );
}

/** <time> showing "3 h ago", with the exact date on hover. */
export function timeAgo(iso, prefix = "") {
  if (!iso) return h("span", { class: "muted" }, "—");
  return h("time", { datetime: iso, title: absoluteTime(iso), "data-relative": prefix }, prefix + relativeTime(iso));
}

/** Refreshes every "3 h ago" on the page so an open tab stays right. */
export function refreshTimes(root = document) {
  for (const el of root.querySelectorAll("time[data-relative]")) {
    el.textContent = el.getAttribute("data-relative") + relativeTime(el.getAttribute("datetime"));
  }
}

export function copyButton(text, label = "Copy") {
  const button = h("button", { type: "button", class: "copy", "aria-label": label, title: text }, "Copy");
  button.addEventListener("click", async () => {
    button.textContent = (await copy(text)) ? "Copied" : "Copy failed";
    setTimeout(() => (button.textContent = "Copy"), 1500);
  });
  return button;
}

// navigator.clipboard exists only on https and localhost; a feed on plain http inside a LAN is common,
// so fall back to the older selection-based copy there.
async function copy(text) {
  try {
    await navigator.clipboard.writeText(text);
    return true;
  } catch {
    const area = h("textarea", { readonly: true, class: "offscreen" });
    area.value = text;
    document.body.append(area);
    area.select();
    let ok = false;
    try {
      ok = document.execCommand("copy");
    } catch {
      ok = false;
    }
    area.remove();
    return ok;
  }
}

/** A semantic table in a scroll box (wide tables scroll sideways on a phone instead of squashing). */
export function table(caption, headers, rows, attrs = {}) {
  return h(
    "div",
    { class: "table-wrap" },
    h(
      "table",
      attrs,
      caption ? h("caption", {}, caption) : null,
      h("thead", {}, h("tr", {}, headers.map((title) => h("th", { scope: "col" }, title)))),
      h("tbody", {}, rows.map((cells) => h("tr", {}, cells.map((cell, i) => (i === 0 ? h("th", { scope: "row" }, cell) : h("td", {}, cell)))))),
    ),
  );
}

/** Shown for unknown packages, versions and pages. */
export function notFound(title, detail) {
  return h(
    "section",
    { class: "not-found" },
    h("h1", {}, title),
    detail ? h("p", {}, detail) : null,
    h("p", {}, h("a", { href: "/" }, "See all packages")),
  );
}
