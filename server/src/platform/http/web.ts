// Serving the built web app (web/dist): pre-compressed files (brotli/gzip copies written at build time), hashed
// assets cached for a year (their name changes with their content), pages revalidated on every visit. Three
// pages: /c/<token> is the light check-in page of a venue poster's QR, /khai-bao the account-less declaration
// page, everything else the staff app.
import fs from 'node:fs';
import path from 'node:path';
import fastifyStatic from '@fastify/static';
import type { FastifyInstance, FastifyReply } from 'fastify';

/** Cache-Control of a file of web/dist, by where it is. */
export function cacheControlOf(file: string): string {
  // vite names every file under assets/ by its content hash
  if (file.startsWith('assets/')) return 'public, max-age=31536000, immutable';
  // pages and the service worker: always ask (a 304 costs little), so a new release is picked up at once
  if (file.endsWith('.html') || file === 'sw.js' || file.startsWith('workbox-')) return 'no-cache';
  return 'public, max-age=86400';
}

export async function serveWeb(app: FastifyInstance, webDist: string): Promise<void> {
  // cacheControl: false: the header is ours (cacheControlOf); @fastify/static would otherwise send max-age=0
  await app.register(fastifyStatic, { root: webDist, wildcard: false, index: false, serve: false, preCompressed: true, cacheControl: false });
  const exists = (file: string) => {
    const full = path.join(webDist, file);
    return full.startsWith(webDist + path.sep) && fs.existsSync(full) && fs.statSync(full).isFile();
  };
  const send = (reply: FastifyReply, file: string) => {
    reply.header('cache-control', cacheControlOf(file));
    // the same URL is sent brotli, gzip or plain: caches in between must key on Accept-Encoding
    reply.header('vary', 'accept-encoding');
    return reply.sendFile(file);
  };
  const page = (name: string) => (exists(name) ? name : 'index.html');
  const checkinPage = page('checkin.html');
  const declarePage = page('khai-bao.html');
  const hidden = { config: { public: true }, schema: { hide: true } };

  // QR URLs (/c/<token>) open the light citizen page; /khai-bao the declaration page; everything else the staff app.
  app.get('/c/*', hidden, (_req, reply) => send(reply, checkinPage));
  app.get('/khai-bao', hidden, (_req, reply) => send(reply, declarePage));
  app.get('/*', hidden, async (req, reply) => {
    const url = req.url.split('?')[0]!;
    if (url.startsWith('/api/')) return reply.callNotFound();
    let file: string;
    try {
      file = decodeURIComponent(url.slice(1));
    } catch {
      return send(reply, 'index.html');
    }
    // the compressed copies are chosen by Accept-Encoding, never asked for by name
    if (file && !file.includes('..') && !file.includes('\0') && !/\.(br|gz)$/.test(file) && exists(file)) return send(reply, file);
    return send(reply, 'index.html');
  });
}
