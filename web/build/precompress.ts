// After a build, writes brotli (.br) and gzip (.gz) copies of every text asset next to it, so the server sends
// compressed files without compressing on each request (@fastify/static `preCompressed`). Maximum levels: done once.
import fs from 'node:fs';
import path from 'node:path';
import { promisify } from 'node:util';
import zlib from 'node:zlib';
import type { Plugin, ResolvedConfig } from 'vite';

const brotli = promisify(zlib.brotliCompress);
const gzip = promisify(zlib.gzip);
const TEXT = /\.(js|mjs|css|html|svg|json|webmanifest|txt)$/;
/** Below this a compressed copy saves less than its headers cost. */
const MIN_BYTES = 512;

function filesUnder(dir: string): string[] {
  return fs.readdirSync(dir, { withFileTypes: true }).flatMap((e) => (e.isDirectory() ? filesUnder(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

export async function precompressDir(dir: string): Promise<number> {
  let n = 0;
  for (const file of filesUnder(dir)) {
    if (!TEXT.test(file)) continue;
    // the second build (citizen pages) leaves the first one's compressed copies as they are
    if (fs.existsSync(`${file}.br`) && fs.statSync(`${file}.br`).mtimeMs >= fs.statSync(file).mtimeMs) continue;
    const data = fs.readFileSync(file);
    if (data.length < MIN_BYTES) continue;
    const [br, gz] = await Promise.all([
      brotli(data, { params: { [zlib.constants.BROTLI_PARAM_QUALITY]: 11, [zlib.constants.BROTLI_PARAM_SIZE_HINT]: data.length } }),
      gzip(data, { level: 9 }),
    ]);
    if (br.length < data.length) fs.writeFileSync(`${file}.br`, br);
    if (gz.length < data.length) fs.writeFileSync(`${file}.gz`, gz);
    n++;
  }
  return n;
}

export function precompress(): Plugin {
  let config: ResolvedConfig;
  return {
    name: 'vigil:precompress',
    apply: 'build',
    enforce: 'post',
    configResolved(c) {
      config = c;
    },
    // closeBundle runs after every plugin has written its files (the service worker included)
    async closeBundle() {
      const out = path.resolve(config.root, config.build.outDir);
      if (fs.existsSync(out)) await precompressDir(out);
    },
  };
}
