import { type LookupAddress, lookup } from "node:dns";
import { request as httpRequest, type IncomingMessage } from "node:http";
import { request as httpsRequest } from "node:https";
import type { LookupFunction } from "node:net";
import {
  findOutboundUrlProblem,
  isAllowlistedAddress,
  isAllowlistedHost,
  isPublicAddress,
  type OutboundAllowlist,
  parseIpAddress,
} from "@parley/contracts";

/** The request was not sent: its URL or an address its host resolves to is not one Parley may call. */
export class OutboundAddressRefused extends Error {
  constructor(message: string) {
    super(message);
    this.name = "OutboundAddressRefused";
  }
}

/** Longest answer read from a platform: only a JSON id is ever used from it. */
const maxAnswerBytes = 64 * 1024;

/**
 * Resolves like `dns.lookup`, refusing the connection when any address of the host is not public (loopback,
 * private, link-local, metadata…) unless the allowlist names the host or the address. The socket connects to
 * the address checked here, so a name cannot be re-pointed between the check and the connection.
 */
function guardedLookup(allowlist: OutboundAllowlist, resolve: ResolveHost): LookupFunction {
  return (hostname, options, callback) => {
    resolve(hostname, options.family).then(
      (addresses) => {
        const nameAllowed = isAllowlistedHost(allowlist, hostname);
        const refused = addresses.find(({ address }) => {
          const parsed = parseIpAddress(address);
          return !nameAllowed && (!parsed || (!isPublicAddress(parsed) && !isAllowlistedAddress(allowlist, parsed)));
        });
        if (refused || addresses.length === 0) {
          return callback(new OutboundAddressRefused(`${hostname} resolves to an address Parley may not call`), "", 0);
        }
        if (options.all) return (callback as unknown as (e: null, a: LookupAddress[]) => void)(null, addresses);
        const [first] = addresses;
        return callback(null, first?.address ?? "", first?.family ?? 4);
      },
      (error: NodeJS.ErrnoException) => callback(error, "", 0),
    );
  };
}

/** Every address of a host name (`dns.lookup` with `all`); tests pass their own. */
export type ResolveHost = (hostname: string, family?: number | string) => Promise<LookupAddress[]>;

const resolveWithDns: ResolveHost = (hostname, family) =>
  new Promise((resolve, reject) => {
    const wanted = family === 4 || family === "IPv4" ? 4 : family === 6 || family === "IPv6" ? 6 : 0;
    lookup(hostname, { all: true, family: wanted }, (error, addresses) => (error ? reject(error) : resolve(addresses)));
  });

function readAnswer(response: IncomingMessage): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    const chunks: Buffer[] = [];
    let size = 0;
    response.on("data", (chunk: Buffer) => {
      size += chunk.length;
      if (size <= maxAnswerBytes) chunks.push(chunk);
      else response.destroy();
    });
    response.on("end", () => resolve(Buffer.concat(chunks)));
    response.on("close", () => resolve(Buffer.concat(chunks)));
    response.on("error", reject);
  });
}

/**
 * A `fetch` for requests to addresses a tenant chose: the URL must pass `findOutboundUrlProblem`, every address
 * its host resolves to must be public (or allowlisted), redirects are never followed (a 3xx is the answer), and
 * at most 64 KiB of the answer is read. Takes a string URL and a string body, as the senders send.
 */
export function createGuardedFetch(
  allowlist: OutboundAllowlist,
  options: { resolve?: ResolveHost } = {},
): typeof fetch {
  const lookupGuard = guardedLookup(allowlist, options.resolve ?? resolveWithDns);
  return (async (input: string | URL | Request, init: RequestInit = {}) => {
    const url = new URL(String(input));
    const problem = findOutboundUrlProblem(url.href, allowlist);
    if (problem) throw new OutboundAddressRefused(`The URL ${problem}`);
    const literal = parseIpAddress(url.hostname);
    const request = url.protocol === "https:" ? httpsRequest : httpRequest;
    const body = typeof init.body === "string" ? init.body : undefined;
    const headers = Object.fromEntries(new Headers(init.headers).entries());
    if (body !== undefined) headers["content-length"] = String(Buffer.byteLength(body));
    return new Promise<Response>((resolve, reject) => {
      const outgoing = request(
        url,
        {
          method: init.method ?? "GET",
          headers,
          signal: init.signal ?? undefined,
          ...(literal ? {} : { lookup: lookupGuard }),
        },
        (response) => {
          readAnswer(response).then((answer) => {
            const code = response.statusCode ?? 502;
            const status = code >= 200 && code <= 599 ? code : 502;
            const nullBody = status === 204 || status === 304 || answer.length === 0;
            resolve(new Response(nullBody ? null : new Uint8Array(answer), { status }));
          }, reject);
        },
      );
      outgoing.on("error", reject);
      outgoing.end(body);
    });
  }) as typeof fetch;
}
