/**
 * Where an address of the earlier hash router now lives, or null when `url` is current:
 * `/#/admin/channels?client=…` → `/admin/channels?client=…`, `/console?item=<id>&…` → `/console/items/<id>?…`,
 * `/console?tab=approvals` → `/console/approvals`. Bookmarks and links sent before the change keep working.
 */
export function legacyHref(url: { pathname: string; search: string; hash: string }): string | null {
  const fromHash = url.hash.startsWith("#/") ? url.hash.slice(1) : null;
  const href = fromHash ?? `${url.pathname}${url.search}`;
  const at = href.indexOf("?");
  const path = (at === -1 ? href : href.slice(0, at)).replace(/\/+$/, "") || "/";
  const query = new URLSearchParams(at === -1 ? "" : href.slice(at + 1));
  let next = path;
  if (path === "/console") {
    const item = query.get("item");
    const tab = query.get("tab");
    query.delete("item");
    query.delete("tab");
    if (tab === "approvals") next = "/console/approvals";
    else if (item) next = `/console/items/${encodeURIComponent(item)}`;
  }
  const search = query.toString();
  const target = search ? `${next}?${search}` : next;
  return fromHash !== null || next !== path ? target : null;
}
