// The address in QR codes: loopback detection, the LAN default and the start-up notice (pure functions; the HTTP
// side is in modules/venues/shortcodes.test.ts and the real start-up in test/cli.test.ts).
import { describe, expect, it } from 'vitest';
import type { NetworkInterfaceInfo } from 'node:os';
import { guessLanUrl, isLoopbackUrl, publicUrlNotice } from './public-url';

const nic = (address: string, internal = false, family: 'IPv4' | 'IPv6' = 'IPv4') =>
  ({ address, internal, family, netmask: '255.255.255.0', mac: '00:00:00:00:00:00', cidr: null }) as unknown as NetworkInterfaceInfo;

describe('QR address', () => {
  it('knows which addresses only the server itself can open', () => {
    for (const u of ['http://localhost:8080', 'http://127.0.0.1:8080', 'http://[::1]:8080', 'http://0.0.0.0:8080', 'http://app.localhost']) expect(isLoopbackUrl(u), u).toBe(true);
    for (const u of ['https://vigil.example.gov.vn', 'http://192.168.1.20:8080', 'http://10.0.0.5']) expect(isLoopbackUrl(u), u).toBe(false);
  });

  it('defaults to the LAN address only when the server listens on every interface, never to a public one', () => {
    const nics = { lo: [nic('127.0.0.1', true)], docker0: [nic('fe80::1', false, 'IPv6')], eth0: [nic('192.168.1.20')] };
    expect(guessLanUrl('0.0.0.0', 8080, nics)).toBe('http://192.168.1.20:8080');
    expect(guessLanUrl('::', 8080, nics)).toBe('http://192.168.1.20:8080');
    expect(guessLanUrl('127.0.0.1', 8080, nics)).toBeNull();
    expect(guessLanUrl('0.0.0.0', 8080, { lo: [nic('127.0.0.1', true)], eth0: [nic('203.0.113.7')] })).toBeNull();
    expect(guessLanUrl('0.0.0.0', 8080, { wlan0: [nic('172.20.3.4')] })).toBe('http://172.20.3.4:8080');
  });

  it('says loudly at start-up when posters would point at loopback, and how to change it', () => {
    const loud = publicUrlNotice('http://localhost:8080', 'default').join('\n');
    expect(loud).toMatch(/http:\/\/localhost:8080\/c\//);
    expect(loud).toMatch(/LOOPBACK/);
    expect(loud).toMatch(/VIGIL_PUBLIC_URL=/);
    const lan = publicUrlNotice('http://192.168.1.20:8080', 'lan').join('\n');
    expect(lan).toMatch(/LAN address/);
    expect(lan).toMatch(/VIGIL_PUBLIC_URL/);
    expect(publicUrlNotice('https://vigil.example.gov.vn', 'configured').join('\n')).not.toMatch(/!!/);
  });
});
