// The address printed in QR codes (VIGIL_PUBLIC_URL): whether phones can reach it, a LAN default where that is
// safe, and the start-up notice that says which address the posters carry.
import type { NetworkInterfaceInfo } from 'node:os';

/** Loopback names and addresses: only the server itself can open them (not a phone scanning a poster). */
export function isLoopbackUrl(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase().replace(/^\[|\]$/g, '');
  } catch {
    return false;
  }
  return host === 'localhost' || host.endsWith('.localhost') || /^127\./.test(host) || host === '::1' || host === '0.0.0.0' || host === '::';
}

const PRIVATE_V4 = [/^10\./, /^192\.168\./, /^172\.(1[6-9]|2\d|3[01])\./];

/**
 * The machine's LAN address as a check-in base URL (`http://192.168.1.20:8080`), when the server listens on every
 * interface (HOST 0.0.0.0 or ::) so that address really reaches it: the first private IPv4 address (RFC 1918) of
 * an up, non-internal interface. Null otherwise (listening on loopback only, or no private network): then the
 * loopback default stays and the notice says so. Public addresses are never guessed (they may be behind a firewall
 * or a proxy that the operator must name).
 */
export function guessLanUrl(host: string, port: number, interfaces: NodeJS.Dict<NetworkInterfaceInfo[]>): string | null {
  if (host !== '0.0.0.0' && host !== '::') return null;
  for (const list of Object.values(interfaces)) {
    for (const a of list ?? []) {
      if (a.internal || a.family !== 'IPv4') continue;
      if (PRIVATE_V4.some((re) => re.test(a.address))) return `http://${a.address}:${port}`;
    }
  }
  return null;
}

export type PublicUrlSource = 'configured' | 'lan' | 'default';

/** The start-up lines about the QR address: loud when phones cannot open it, always with how to change it. */
export function publicUrlNotice(publicUrl: string, source: PublicUrlSource): string[] {
  const how = 'Set VIGIL_PUBLIC_URL to the address phones use (e.g. VIGIL_PUBLIC_URL=https://vigil.example.gov.vn) and restart, then print the posters again.';
  if (isLoopbackUrl(publicUrl)) {
    const bar = '!'.repeat(100);
    return [
      bar,
      `!! QR codes and posters point at ${publicUrl}/c/… : a LOOPBACK address. Phones scanning them will open nothing.`,
      `!! ${how}`,
      bar,
    ];
  }
  if (source === 'lan')
    return [
      `QR codes and posters point at ${publicUrl}/c/… (this machine's LAN address, chosen because VIGIL_PUBLIC_URL is not set):`,
      `  only phones on the same network can open it. ${how}`,
    ];
  return [`QR codes and posters point at ${publicUrl}/c/… (VIGIL_PUBLIC_URL).`];
}
