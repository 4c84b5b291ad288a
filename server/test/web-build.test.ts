// `vigil start --build-web` builds the web app only when web/dist is missing or older than its sources (web-build.ts).
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { webBuildStale } from '../src/web-build';

const root = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-web-build-'));
afterAll(() => fs.rmSync(root, { recursive: true, force: true }));

const touch = (file: string, at: number) => {
  fs.mkdirSync(path.dirname(file), { recursive: true });
  if (!fs.existsSync(file)) fs.writeFileSync(file, '');
  fs.utimesSync(file, at / 1000, at / 1000);
};

describe('the web build check', () => {
  const dist = path.join(root, 'web', 'dist');
  const t0 = Date.parse('2026-01-01T00:00:00Z');
  it('is stale without a build, fresh after one, stale again when a source or an entry page changes', () => {
    touch(path.join(root, 'web', 'src', 'app', 'App.tsx'), t0);
    touch(path.join(root, 'web', 'index.html'), t0);
    expect(webBuildStale(dist)).toBe(true);
    touch(path.join(dist, 'index.html'), t0 + 1000);
    expect(webBuildStale(dist)).toBe(false);
    touch(path.join(root, 'web', 'src', 'features', 'cases', 'Page.tsx'), t0 + 2000);
    expect(webBuildStale(dist)).toBe(true);
    touch(path.join(dist, 'index.html'), t0 + 3000);
    expect(webBuildStale(dist)).toBe(false);
    touch(path.join(root, 'web', 'khai-bao.html'), t0 + 4000);
    expect(webBuildStale(dist)).toBe(true);
  });
});
