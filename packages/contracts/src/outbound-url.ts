/**
 * Which URLs a tenant may point Parley's outbound requests at (a generic channel's `callbackUrl`, a forum's
 * `baseUrl`, a playbook level's `webhookUrl`): `https:` only, no credentials in the URL, never an address inside
 * the network Parley runs in (loopback, private ranges, link-local and cloud metadata, CGNAT, multicast and their
 * IPv6 equivalents) — unless the operator's allowlist (`OUTBOUND_ALLOWLIST`) names the host, for tests and local
 * fakes. Checked when a URL is saved (here, on its text) and again when a request is sent (on every address the
 * host resolves to). Pure, so the browser can import it.
 */

export interface IpAddress {
  family: 4 | 6;
  value: bigint;
}

interface IpRange {
  family: 4 | 6;
  base: bigint;
  prefix: number;
}

export interface OutboundAllowlist {
  /** Lower-case host names. */
  names: readonly string[];
  ranges: readonly IpRange[];
}

export const emptyOutboundAllowlist: OutboundAllowlist = { names: [], ranges: [] };

const bitsOf = (family: 4 | 6) => (family === 4 ? 32 : 128);

function parseIpv4(text: string): bigint | null {
  const parts = text.split(".");
  if (parts.length !== 4) return null;
  let value = 0n;
  for (const part of parts) {
    if (!/^\d{1,3}$/.test(part) || Number(part) > 255) return null;
    value = (value << 8n) | BigInt(part);
  }
  return value;
}

function parseIpv6(text: string): bigint | null {
  if (!/^[0-9a-f:.]+$/i.test(text)) return null;
  const halves = text.split("::");
  if (halves.length > 2) return null;
  const groupsOf = (half: string): number[] | null => {
    if (half === "") return [];
    const groups: number[] = [];
    const pieces = half.split(":");
    for (const [index, piece] of pieces.entries()) {
      if (index === pieces.length - 1 && piece.includes(".")) {
        const v4 = parseIpv4(piece);
        if (v4 === null) return null;
        groups.push(Number(v4 >> 16n), Number(v4 & 0xffffn));
      } else if (/^[0-9a-f]{1,4}$/i.test(piece)) {
        groups.push(Number.parseInt(piece, 16));
      } else {
        return null;
      }
    }
    return groups;
  };
  const head = groupsOf(halves[0] ?? "");
  const tail = halves.length === 2 ? groupsOf(halves[1] ?? "") : [];
  if (!head || !tail) return null;
  const missing = 8 - head.length - tail.length;
  if (halves.length === 2 ? missing < 1 : missing !== 0) return null;
  const groups = [...head, ...Array<number>(missing).fill(0), ...tail];
  return groups.reduce((value, group) => (value << 16n) | BigInt(group), 0n);
}

/** An IPv4 or IPv6 address in text (`10.0.0.1`, `::1`, `[fe80::1]`), or null when the text is not one. */
export function parseIpAddress(text: string): IpAddress | null {
  const bare = text.startsWith("[") && text.endsWith("]") ? text.slice(1, -1) : text;
  const v4 = parseIpv4(bare);
  if (v4 !== null) return { family: 4, value: v4 };
  const v6 = bare.includes(":") ? parseIpv6(bare) : null;
  return v6 === null ? null : { family: 6, value: v6 };
}

function parseRange(text: string): IpRange | null {
  const [address, prefixText, extra] = text.split("/");
  if (extra !== undefined || address === undefined) return null;
  const parsed = parseIpAddress(address);
  if (!parsed) return null;
  const bits = bitsOf(parsed.family);
  const prefix = prefixText === undefined ? bits : Number(prefixText);
  if (
    !Number.isInteger(prefix) ||
    prefix < 0 ||
    prefix > bits ||
    (prefixText !== undefined && !/^\d+$/.test(prefixText))
  )
    return null;
  return { family: parsed.family, base: parsed.value, prefix };
}

function inRange(address: IpAddress, range: IpRange): boolean {
  if (address.family !== range.family) return false;
  const shift = BigInt(bitsOf(range.family) - range.prefix);
  return address.value >> shift === range.base >> shift;
}

const ranges = (family: 4 | 6, list: string[]) =>
  list.map((text) => {
    const range = parseRange(text);
    if (!range || range.family !== family) throw new Error(`bad range ${text}`);
    return range;
  });

/** IPv4 space that is not the public internet (RFC 6890 and friends). */
const nonPublicV4 = ranges(4, [
  "0.0.0.0/8",
  "10.0.0.0/8",
  "100.64.0.0/10", // CGNAT (also Alibaba Cloud's metadata, 100.100.100.200)
  "127.0.0.0/8",
  "169.254.0.0/16", // link-local, cloud metadata 169.254.169.254
  "172.16.0.0/12",
  "192.0.0.0/24",
  "192.0.2.0/24",
  "192.88.99.0/24",
  "192.168.0.0/16",
  "198.18.0.0/15",
  "198.51.100.0/24",
  "203.0.113.0/24",
  "224.0.0.0/4", // multicast
  "240.0.0.0/4", // reserved, broadcast
]);
const globalUnicastV6 = ranges(6, ["2000::/3"])[0] as IpRange;
const nonPublicV6 = ranges(6, [
  "2001::/23", // protocol assignments (Teredo…)
  "2001:db8::/32", // documentation
  "2002::/16", // 6to4
  "3fff::/20", // documentation
]);
/** IPv6 forms that carry an IPv4 address in their last 32 bits: judged by that address. */
const embeddingV4 = ranges(6, ["::ffff:0:0/96", "64:ff9b::/96", "::/96"]);

/** Whether the address is on the public internet (not loopback, private, link-local, metadata, multicast…). */
export function isPublicAddress(address: IpAddress): boolean {
  if (address.family === 4) return !nonPublicV4.some((range) => inRange(address, range));
  const embedding = embeddingV4.find((range) => inRange(address, range));
  if (embedding) {
    const v4 = address.value & 0xffffffffn;
    // `::` and `::1` sit in ::/96 and are not IPv4 addresses.
    if (embedding.prefix === 96 && embedding.base === 0n && v4 < 0x01000000n) return false;
    return isPublicAddress({ family: 4, value: v4 });
  }
  return inRange(address, globalUnicastV6) && !nonPublicV6.some((range) => inRange(address, range));
}

/** `OUTBOUND_ALLOWLIST`: comma-separated host names, IP addresses and CIDR ranges. */
export function parseOutboundAllowlist(
  text: string,
): { ok: true; allowlist: OutboundAllowlist } | { ok: false; message: string } {
  const names: string[] = [];
  const parsedRanges: IpRange[] = [];
  for (const entry of text.split(",").map((part) => part.trim().toLowerCase())) {
    if (entry === "") continue;
    const range = parseRange(entry);
    if (range) parsedRanges.push(range);
    else if (/^[a-z0-9]([a-z0-9-]*[a-z0-9])?(\.[a-z0-9]([a-z0-9-]*[a-z0-9])?)*$/.test(entry)) names.push(entry);
    else return { ok: false, message: `"${entry}" is not a host name, IP address or CIDR range` };
  }
  return { ok: true, allowlist: { names, ranges: parsedRanges } };
}

/** Whether the allowlist names this host (a name, or an IP literal inside one of its ranges). */
export function isAllowlistedHost(allowlist: OutboundAllowlist, hostname: string): boolean {
  const host = hostname.toLowerCase();
  if (allowlist.names.includes(host)) return true;
  const address = parseIpAddress(host);
  return address !== null && isAllowlistedAddress(allowlist, address);
}

export function isAllowlistedAddress(allowlist: OutboundAllowlist, address: IpAddress): boolean {
  return allowlist.ranges.some((range) => inRange(address, range));
}

const localNames = /(^|\.)(localhost|localdomain|internal|local)$/;

/**
 * Why a URL a tenant sets is refused, or null when it may be saved. The host's addresses are checked again when
 * a request is sent (a name may resolve anywhere).
 */
export function findOutboundUrlProblem(text: string, allowlist: OutboundAllowlist): string | null {
  let url: URL;
  try {
    url = new URL(text);
  } catch {
    return "must be a URL such as https://hooks.example.com/parley";
  }
  if (text.length > 2000) return "must be at most 2,000 characters";
  const allowlisted = isAllowlistedHost(allowlist, url.hostname);
  if (url.protocol !== "https:" && !(url.protocol === "http:" && allowlisted)) return "must be an https:// URL";
  if (url.username || url.password) return "must not carry a user name or password";
  if (allowlisted) return null;
  const address = parseIpAddress(url.hostname);
  if ((address && !isPublicAddress(address)) || localNames.test(url.hostname.toLowerCase())) {
    return "must not point at a loopback, private, link-local or metadata address";
  }
  return null;
}
