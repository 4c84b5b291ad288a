// Browser-test helpers: build harness pages (web/test/harness/*.html) with the app's vite config into a temp dir,
// and serve them with /api proxied to a test server (same origin, so the session cookie works).
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const WEB = path.resolve(fileURLToPath(new URL('../..', import.meta.url)));
const TYPES: Record<string, string> = { '.html': 'text/html', '.js': 'text/javascript', '.css': 'text/css' };

export async function buildHarness(names: string[]): Promise<string> {
  const outDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-harness-'));
  const { build } = await import('vite');
  await build({
    configFile: path.join(WEB, 'vite.config.ts'),
    root: WEB,
    logLevel: 'warn',
    build: { outDir, emptyOutDir: true, rollupOptions: { input: Object.fromEntries(names.map((n) => [n, path.join(WEB, `test/harness/${n}.html`)])) } },
  });
  return outDir;
}

export async function serveHarness(outDir: string, apiUrl: string): Promise<{ url: string; close(): Promise<void> }> {
  const api = new URL(apiUrl);
  const front = http.createServer((req, res) => {
    if (req.url?.startsWith('/api/')) {
      const p = http.request({ host: api.hostname, port: api.port, path: req.url, method: req.method, headers: req.headers }, (r) => {
        res.writeHead(r.statusCode ?? 502, r.headers);
        r.pipe(res);
      });
      p.on('error', () => res.writeHead(502).end());
      req.pipe(p);
      return;
    }
    const file = path.join(outDir, decodeURIComponent((req.url ?? '/').split(/[?#]/)[0]!));
    if (!file.startsWith(outDir) || !fs.existsSync(file) || !fs.statSync(file).isFile()) return void res.writeHead(404).end();
    res.writeHead(200, { 'content-type': TYPES[path.extname(file)] ?? 'application/octet-stream' });
    fs.createReadStream(file).pipe(res);
  });
  await new Promise<void>((r) => front.listen(0, '127.0.0.1', r));
  return {
    url: `http://127.0.0.1:${(front.address() as { port: number }).port}`,
    close: () => new Promise((r) => front.close(() => r())),
  };
}
