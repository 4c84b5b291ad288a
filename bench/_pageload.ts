// Loading a page as a phone on a slow network would: headless Chromium with the network throttled through the
// DevTools protocol (Network.emulateNetworkConditions), a 360x740 viewport, an empty cache on the first visit.
// Counts the bytes that went over the wire (headers included, after compression) until the page is usable and the
// network is quiet. Used by bench/pages.ts (prints weights and times) and web/test/pages.browser.test.ts (asserts
// the weights; timings are never asserted in tests).
import type { Browser, BrowserContext, Page } from 'playwright-core';

export interface NetworkProfile {
  name: string;
  downloadKbps: number;
  uploadKbps: number;
  latencyMs: number;
}

/** The goal: a cheap phone on a fair mobile connection. */
export const FAIR_MOBILE: NetworkProfile = { name: '1.6 Mbps / 150 ms RTT', downloadKbps: 1600, uploadKbps: 750, latencyMs: 150 };
/** Where the walk-through measured the first slice (a weak 3G signal). */
export const WEAK_3G: NetworkProfile = { name: '400 kbps / 400 ms RTT', downloadKbps: 400, uploadKbps: 400, latencyMs: 400 };

export interface LoadFigures {
  /** bytes received, headers included */
  bytes: number;
  requests: number;
  /** requests answered from the browser's cache, without going to the server */
  fromCache: number;
  /** from navigation start until `ready` resolved */
  usableMs: number;
  /** per URL path: bytes received */
  byPath: Record<string, number>;
}

export async function phoneContext(browser: Browser): Promise<BrowserContext> {
  return browser.newContext({ viewport: { width: 360, height: 740 }, deviceScaleFactor: 2, isMobile: true, hasTouch: true, locale: 'vi-VN' });
}

/**
 * Opens `url` in `page` with the network throttled to `net` and resolves with what it cost once `ready(page)`
 * resolved and no request was in flight for 500 ms. Open the same context again to measure a return visit.
 */
export async function loadPage(page: Page, url: string, net: NetworkProfile, ready: (page: Page) => Promise<unknown>): Promise<LoadFigures> {
  const cdp = await page.context().newCDPSession(page);
  await cdp.send('Network.enable');
  await cdp.send('Network.emulateNetworkConditions', {
    offline: false,
    latency: net.latencyMs,
    downloadThroughput: (net.downloadKbps * 1000) / 8,
    uploadThroughput: (net.uploadKbps * 1000) / 8,
  });
  const urls = new Map<string, string>();
  const inFlight = new Set<string>();
  const figures: LoadFigures = { bytes: 0, requests: 0, fromCache: 0, usableMs: 0, byPath: {} };
  let lastActivity = performance.now();
  cdp.on('Network.requestWillBeSent', (e) => {
    urls.set(e.requestId, e.request.url);
    inFlight.add(e.requestId);
    lastActivity = performance.now();
  });
  const cached = new Set<string>();
  cdp.on('Network.requestServedFromCache', (e) => cached.add(e.requestId));
  cdp.on('Network.responseReceived', (e) => {
    if (e.response.fromDiskCache || e.response.fromPrefetchCache) cached.add(e.requestId);
  });
  const finish = (id: string) => {
    inFlight.delete(id);
    lastActivity = performance.now();
  };
  cdp.on('Network.loadingFinished', (e) => {
    const u = urls.get(e.requestId);
    finish(e.requestId);
    if (!u || u.startsWith('data:')) return;
    if (cached.has(e.requestId)) {
      figures.fromCache++;
      return;
    }
    figures.requests++;
    figures.bytes += e.encodedDataLength;
    const p = new URL(u).pathname;
    figures.byPath[p] = (figures.byPath[p] ?? 0) + e.encodedDataLength;
  });
  cdp.on('Network.loadingFailed', (e) => finish(e.requestId));

  const t0 = performance.now();
  await page.goto(url, { waitUntil: 'commit' });
  await ready(page);
  figures.usableMs = Math.round(performance.now() - t0);
  // what the page still fetches right after it is usable belongs to the visit too
  const quietFor = 500;
  const deadline = performance.now() + 60_000;
  while (inFlight.size > 0 || performance.now() - lastActivity < quietFor) {
    if (performance.now() > deadline) throw new Error(`${url}: requests still in flight after 60 s: ${[...inFlight].map((id) => urls.get(id)).join(', ')}`);
    await new Promise((r) => setTimeout(r, 50));
  }
  await cdp.detach();
  return figures;
}

export const kB = (bytes: number) => `${(bytes / 1000).toFixed(1)} kB`;
