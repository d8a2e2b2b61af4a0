// Human formats for sizes, times and hashes.

const units = ["B", "KB", "MB", "GB", "TB"];

export function formatSize(bytes) {
  if (typeof bytes !== "number" || !isFinite(bytes)) return "—";
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return unit === 0 ? `${value} B` : `${value.toFixed(value < 10 ? 1 : 0)} ${units[unit]}`;
}

/** "just now", "5 min ago", "3 h ago", "2 d ago"; older than 30 days: the date. */
export function relativeTime(iso, now = Date.now()) {
  const date = new Date(iso);
  if (isNaN(date)) return "—";
  const seconds = Math.round((now - date.getTime()) / 1000);
  if (seconds < 0) return "just now"; // clocks of server and browser differ a little
  if (seconds < 45) return "just now";
  if (seconds < 3600) return `${Math.max(1, Math.round(seconds / 60))} min ago`;
  if (seconds < 86400) return `${Math.round(seconds / 3600)} h ago`;
  if (seconds < 30 * 86400) return `${Math.round(seconds / 86400)} d ago`;
  return date.toLocaleDateString();
}

export function absoluteTime(iso) {
  const date = new Date(iso);
  return isNaN(date) ? "" : date.toLocaleString();
}

export function formatSeconds(seconds) {
  if (typeof seconds !== "number" || !isFinite(seconds)) return "—";
  if (seconds < 1) return `${Math.round(seconds * 1000)} ms`;
  if (seconds < 60) return `${seconds.toFixed(1)} s`;
  const minutes = Math.floor(seconds / 60);
  return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
}

export function formatCount(n) {
  return typeof n === "number" ? n.toLocaleString("en-US") : "—";
}

/** Row count change against the previous passed version: "+12", "−3", "±0". */
export function formatChange(rows, previous) {
  if (typeof previous !== "number") return null;
  const diff = rows - previous;
  if (diff === 0) return "±0";
  return diff > 0 ? `+${formatCount(diff)}` : `−${formatCount(-diff)}`;
}

export function shortHash(hash) {
  return typeof hash === "string" ? hash.slice(0, 12) : "";
}
