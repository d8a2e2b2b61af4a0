// Single-page app: the server answers /, /packages/{id} and /packages/{id}/{version} with index.html,
// and this module picks the page from location.pathname.
import { ApiError, getKey, setKey } from "./api.js";
import { fill, h } from "./dom.js";
import { renderHome } from "./pages/home.js";
import { renderPackage } from "./pages/package.js";
import { renderVersion } from "./pages/version.js";
import { renderEvidence } from "./pages/evidence.js";
import { notFound, refreshTimes } from "./widgets.js";

const POLL_MS = 2000;
const main = document.getElementById("main");
let generation = 0;
let pollTimer = null;

/** Decoded path segments; null when the path is not one of ours. */
function parseRoute(pathname) {
  const parts = pathname.split("/").filter(Boolean);
  let segments;
  try {
    segments = parts.map(decodeURIComponent);
  } catch {
    return null;
  }
  if (segments.length === 0) return { page: "home" };
  if (segments.length === 1 && segments[0] === "evidence") return { page: "evidence" };
  if (segments[0] !== "packages") return null;
  if (segments.length === 1) return { page: "home" }; // "/packages" is the list too
  if (segments.length === 2) return { page: "package", id: segments[1] };
  if (segments.length === 3) return { page: "version", id: segments[1], version: segments[2] };
  return null;
}

async function route() {
  const mine = ++generation;
  clearTimeout(pollTimer);
  const ctx = {
    stale: () => mine !== generation,
    // Live updates: while a run is queued or running, call `again` after a pause (one timer per page).
    pollWhile(active, again) {
      clearTimeout(pollTimer);
      if (!active || mine !== generation) return;
      pollTimer = setTimeout(() => again().catch(ctx.fail), POLL_MS);
    },
    fail: (err) => mine === generation && showError(err, r),
  };
  const r = parseRoute(location.pathname);
  fill(main);
  renderKeyStatus();
  try {
    if (!r) {
      document.title = "Not found · BackupFeed";
      main.append(notFound("Page not found", `Nothing lives at ${location.pathname}.`));
    } else if (r.page === "home") {
      document.title = "BackupFeed";
      await renderHome(main, ctx);
    } else if (r.page === "evidence") {
      await renderEvidence(main, ctx);
    } else if (r.page === "package") {
      await renderPackage(main, ctx, r.id);
    } else {
      await renderVersion(main, ctx, r.id, r.version);
    }
  } catch (err) {
    ctx.fail(err);
  }
  main.setAttribute("data-ready", "true"); // tests and screen readers: the page finished loading
}

function showError(err, r) {
  clearTimeout(pollTimer);
  if (err instanceof ApiError && err.isAuth) {
    fill(main, keyForm(err));
    return;
  }
  if (err instanceof ApiError && (err.status === 404 || err.status === 400)) {
    if (r?.page === "version") {
      document.title = "Unknown version · BackupFeed";
      fill(main, notFound(`No version ${r.version} of ${r.id}`, err.detail ?? err.error));
    } else {
      document.title = "Unknown package · BackupFeed";
      fill(main, notFound(`No package named ${r?.id ?? ""}`, err.detail ?? err.error));
    }
    return;
  }
  fill(main, h("section", { class: "error", role: "alert" }, h("h1", {}, "Something went wrong"), h("p", {}, err?.message ?? String(err)), h("p", {}, h("a", { href: location.href }, "Try again"))));
}

/** Private mode: asks for a read key, says plainly when the one given was refused. */
function keyForm(err) {
  const had = getKey("read");
  let text;
  if (err.status === 403) text = "That key does not have read scope. Enter a key with read scope.";
  else if (had) text = "That key was not accepted. Check it and enter it again.";
  else text = "This feed is private. Enter an API key with read scope to see it.";
  const input = h("input", { type: "password", id: "read-key", name: "read-key", autocomplete: "off", required: true });
  const form = h(
    "form",
    { class: "key-form", id: "key-form" },
    h("h1", {}, "API key needed"),
    h("p", { class: had ? "message wrong" : "message", role: "alert" }, text),
    h("label", { for: "read-key" }, "API key"),
    input,
    h("button", { type: "submit", class: "primary" }, "Open"),
    h("p", { class: "hint" }, "The key stays in this tab only (sessionStorage) and is sent as X-Octopus-ApiKey."),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    setKey("read", input.value.trim());
    route();
  });
  queueMicrotask(() => input.focus());
  return form;
}

function renderKeyStatus() {
  const slot = document.getElementById("key-status");
  if (!getKey("read")) return fill(slot);
  fill(slot, "using an API key ", h("button", { type: "button", class: "link", onclick: () => { setKey("read", null); setKey("push", null); route(); } }, "Forget key"));
}

window.addEventListener("popstate", route);
setInterval(() => refreshTimes(main), 30000);
route();
