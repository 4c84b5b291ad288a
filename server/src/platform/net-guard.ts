// Which addresses an outbound probe may reach (first user: the quarantine-site camera probe, cases/cameras.ts).
// A camera's stream URL is typed in by staff, and the probe runs inside
// the server's network: unguarded, it would let anyone who can register a camera make the server knock on internal
// services (the database, the cloud metadata endpoint 169.254.169.254, an admin page on localhost) and read
// whether they answer. So the probe resolves the host itself, refuses loopback, link-local (metadata), private,
// shared (CGNAT), multicast and reserved ranges unless the operator allows them (VIGIL_CAMERA_ALLOW_PRIVATE for
// the private ranges a province's camera network lives in; VIGIL_CAMERA_ALLOW_NETS for exact CIDRs), and then
// connects to the address it checked (no second lookup a rebinding DNS could answer differently).
import dns from 'node:dns/promises';
import net from 'node:net';
import os from 'node:os';

export interface OutboundPolicy {
  /** allow the private ranges (10/8, 172.16/12, 192.168/16, 100.64/10, fc00::/7) */
  allowPrivate: boolean;
  /** CIDRs allowed whatever they are (e.g. "127.0.0.0/8,10.20.0.0/16") */
  allowNets: string;
  /**
   * This server's own HTTP listener (HOST, PORT): a URL that names it (the demo's cameras point at its /healthz)
   * may be reached on exactly that port, on the addresses it listens on. Nothing else there is opened: every other
   * port of loopback or of this machine stays refused.
   */
  self?: { host: string; port: number };
}

const DEFAULT_PORTS: Record<string, number> = { 'http:': 80, 'https:': 443, 'rtsp:': 554, 'rtsps:': 322 };

/** The address without an IPv4-mapped/NAT64 wrapper, as refusal() sees it. */
const plainAddress = (ip: string) => (net.isIPv6(ip) ? embeddedV4(ip) : null) ?? ip;

/** True when `ip`:`port` is this server's own listener. */
export function isOwnListener(ip: string, port: number, self: OutboundPolicy['self']): boolean {
  if (!self || port !== self.port) return false;
  const addr = plainAddress(ip);
  if (self.host === '0.0.0.0' || self.host === '::') {
    // listening on every interface: any address of this machine is us
    return Object.values(os.networkInterfaces()).some((list) => list?.some((i) => i.address === addr));
  }
  if (self.host === 'localhost') return addr === '127.0.0.1' || addr === '::1';
  return addr === plainAddress(self.host);
}

export const PROBE_SCHEMES = new Set(['http:', 'https:', 'rtsp:', 'rtsps:']);

const PRIVATE: [string, number, 'ipv4' | 'ipv6'][] = [
  ['10.0.0.0', 8, 'ipv4'],
  ['172.16.0.0', 12, 'ipv4'],
  ['192.168.0.0', 16, 'ipv4'],
  ['100.64.0.0', 10, 'ipv4'],
  ['fc00::', 7, 'ipv6'],
];
const NEVER: [string, number, 'ipv4' | 'ipv6'][] = [
  ['0.0.0.0', 8, 'ipv4'],
  ['127.0.0.0', 8, 'ipv4'],
  ['169.254.0.0', 16, 'ipv4'], // link-local, the cloud metadata endpoint 169.254.169.254
  ['192.0.0.0', 24, 'ipv4'],
  ['192.0.2.0', 24, 'ipv4'],
  ['198.18.0.0', 15, 'ipv4'],
  ['198.51.100.0', 24, 'ipv4'],
  ['203.0.113.0', 24, 'ipv4'],
  ['224.0.0.0', 4, 'ipv4'],
  ['240.0.0.0', 4, 'ipv4'],
  ['::', 128, 'ipv6'],
  ['::1', 128, 'ipv6'],
  ['fe80::', 10, 'ipv6'],
  ['ff00::', 8, 'ipv6'],
  ['2001:db8::', 32, 'ipv6'],
];

const listOf = (ranges: [string, number, 'ipv4' | 'ipv6'][]) => {
  const b = new net.BlockList();
  for (const [a, p, f] of ranges) b.addSubnet(a, p, f);
  return b;
};
const never = listOf(NEVER);
const privateNets = listOf(PRIVATE);

/** Parses "a.b.c.d/n, x::/m" into a BlockList; throws naming the bad entry. */
export function parseAllowNets(spec: string): net.BlockList {
  const b = new net.BlockList();
  for (const raw of spec.split(',').map((s) => s.trim()).filter(Boolean)) {
    const [addr, bits, extra] = raw.split('/');
    const family = net.isIP(addr ?? '');
    const prefix = bits === undefined ? (family === 6 ? 128 : 32) : Number(bits);
    if (!family || extra !== undefined || !Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) throw new Error(`"${raw}" is not an address or CIDR`);
    b.addSubnet(addr!, prefix, family === 6 ? 'ipv6' : 'ipv4');
  }
  return b;
}

/** The IPv4 address inside an IPv4-mapped (::ffff:a.b.c.d) or NAT64 (64:ff9b::a.b.c.d) IPv6 address. */
function embeddedV4(ip: string): string | null {
  const m = /^(?:::ffff:|64:ff9b::)(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (m) return m[1]!;
  const h = /^(?:::ffff:|64:ff9b::)([0-9a-f]{1,4}):([0-9a-f]{1,4})$/i.exec(ip);
  if (!h) return null;
  const a = parseInt(h[1]!, 16);
  const b = parseInt(h[2]!, 16);
  return `${a >> 8}.${a & 255}.${b >> 8}.${b & 255}`;
}

/** Why an address may not be probed, or null when it may. */
export function refusal(ip: string, policy: OutboundPolicy, allow = parseAllowNets(policy.allowNets)): string | null {
  const v4 = net.isIPv6(ip) ? embeddedV4(ip) : null;
  const [addr, family] = v4 ? [v4, 'ipv4' as const] : [ip, net.isIPv6(ip) ? ('ipv6' as const) : ('ipv4' as const)];
  if (allow.check(addr, family)) return null;
  if (never.check(addr, family)) return `refused: ${addr} is a loopback, link-local or reserved address`;
  if (privateNets.check(addr, family) && !policy.allowPrivate) return `refused: ${addr} is a private address (VIGIL_CAMERA_ALLOW_PRIVATE)`;
  return null;
}

/**
 * Why vetOutboundUrl refused: `error` in English (logs, form errors); `reason` a stable code a page translates
 * (scheme: not http/https/rtsp(s), detail the scheme; dns: the name does not resolve, detail the resolver's code;
 * blocked: an address the policy refuses, detail that address).
 */
export type OutboundRefusal = { error: string; reason: 'scheme' | 'dns' | 'blocked'; detail: string | null };

/**
 * Resolves a camera URL's host and checks every address it names (a name that also resolves to an internal
 * address is refused). Returns the address to connect to, or the refusal.
 */
export async function vetOutboundUrl(u: URL, policy: OutboundPolicy): Promise<{ address: string; family: 4 | 6 } | OutboundRefusal> {
  if (!PROBE_SCHEMES.has(u.protocol)) return { error: `refused: scheme ${u.protocol} (http, https, rtsp, rtsps only)`, reason: 'scheme', detail: u.protocol.replace(/:$/, '').slice(0, 40) };
  const host = u.hostname.replace(/^\[|\]$/g, '');
  let addrs: { address: string; family: number }[];
  if (net.isIP(host)) addrs = [{ address: host, family: net.isIP(host) }];
  else {
    try {
      addrs = await dns.lookup(host, { all: true, verbatim: true });
    } catch (err) {
      const code = (err as NodeJS.ErrnoException).code;
      return { error: code ?? 'DNS lookup failed', reason: 'dns', detail: code ?? null };
    }
  }
  if (!addrs.length) return { error: 'ENOTFOUND', reason: 'dns', detail: 'ENOTFOUND' };
  const allow = parseAllowNets(policy.allowNets);
  const port = Number(u.port) || DEFAULT_PORTS[u.protocol]!;
  for (const a of addrs) {
    const why = refusal(a.address, policy, allow);
    if (why && !isOwnListener(a.address, port, policy.self)) return { error: why, reason: 'blocked', detail: a.address };
  }
  return { address: addrs[0]!.address, family: addrs[0]!.family === 6 ? 6 : 4 };
}
