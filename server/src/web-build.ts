// `vigil start --build-web` (npm start): build the web app once, and again only when its sources changed.
import fs from 'node:fs';
import path from 'node:path';
import { spawnSync } from 'node:child_process';
import { WEB_DIST } from './app';
import { CliError } from './platform/cli';

/** The newest modification time of the files under `dir` (0 when it does not exist). */
function newest(dir: string): number {
  return fs.existsSync(dir)
    ? fs.readdirSync(dir, { withFileTypes: true }).reduce((m, e) => {
        const p = path.join(dir, e.name);
        return Math.max(m, e.isDirectory() ? newest(p) : fs.statSync(p).mtimeMs);
      }, 0)
    : 0;
}

/** True when web/dist is missing or older than the web app's sources (src/, the HTML entries, the vite configs). */
export function webBuildStale(webDist = WEB_DIST): boolean {
  const webRoot = path.dirname(webDist);
  const built = path.join(webDist, 'index.html');
  const sources = Math.max(
    newest(path.join(webRoot, 'src')),
    ...['index.html', 'checkin.html', 'khai-bao.html', 'vite.config.ts', 'vite.citizen.config.ts'].map((f) => (fs.existsSync(path.join(webRoot, f)) ? fs.statSync(path.join(webRoot, f)).mtimeMs : 0)),
  );
  return !(fs.existsSync(built) && fs.statSync(built).mtimeMs >= sources);
}

/** Builds the web app (npm run build -w web) when it is stale; a failed build is a CLI error. */
export function buildWebIfStale(webDist = WEB_DIST) {
  if (!webBuildStale(webDist)) return;
  process.stderr.write('Building the web app (first start or sources changed)...\n');
  const r = spawnSync('npm', ['run', 'build', '-w', 'web'], { stdio: ['ignore', 'ignore', 'inherit'], cwd: path.resolve(path.dirname(webDist), '..') });
  if (r.status !== 0) throw new CliError('Building the web app failed (see above)');
}
