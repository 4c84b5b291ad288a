// `npm install` on a fresh clone (the README's first command) runs no install script we have not decided on: every
// installed package with one is listed in package.json's allowScripts (true: runs, false: skipped), so npm does not
// warn "install scripts not yet covered by allowScripts". cbor-extract is false: its prebuilt binary package loads
// without its build script.
import fs from 'node:fs';
import path from 'node:path';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(path.dirname(new URL(import.meta.url).pathname), '../..');
const SCRIPTS = ['preinstall', 'install', 'postinstall'];

function packagesWithInstallScripts(dir: string, found = new Set<string>()): Set<string> {
  for (const entry of fs.readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isDirectory() || entry.name === '.bin' || entry.name === '.cache') continue;
    const pkgDir = path.join(dir, entry.name);
    if (entry.name.startsWith('@')) {
      packagesWithInstallScripts(pkgDir, found);
      continue;
    }
    const manifest = path.join(pkgDir, 'package.json');
    if (fs.existsSync(manifest)) {
      const pkg = JSON.parse(fs.readFileSync(manifest, 'utf8')) as { name?: string; scripts?: Record<string, string> };
      if (pkg.name && (SCRIPTS.some((s) => pkg.scripts?.[s]) || fs.existsSync(path.join(pkgDir, 'binding.gyp')))) found.add(pkg.name);
    }
    const nested = path.join(pkgDir, 'node_modules');
    if (fs.existsSync(nested)) packagesWithInstallScripts(nested, found);
  }
  return found;
}

describe('npm install on a fresh clone', () => {
  it('has a decision in allowScripts for every package with an install script', () => {
    const allow = (JSON.parse(fs.readFileSync(path.join(ROOT, 'package.json'), 'utf8')) as { allowScripts: Record<string, boolean> }).allowScripts;
    const undecided = [...packagesWithInstallScripts(path.join(ROOT, 'node_modules'))].filter((name) => !(name in allow));
    expect(undecided).toEqual([]);
  });

  it('loads cbor-extract without its install script', () => {
    const req = createRequire(path.join(ROOT, 'server', 'package.json'));
    expect(typeof (req('cbor-extract') as { extractStrings?: unknown }).extractStrings).toBe('function');
  });
});
