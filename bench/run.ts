// `npm run bench [-- <name>...]`: runs bench/<name>.ts (default: all). Each prints its figures and ratios.
import fs from 'node:fs';
import path from 'node:path';

const dir = path.dirname(new URL(import.meta.url).pathname);
const all = fs.readdirSync(dir).filter((f) => f.endsWith('.ts') && f !== 'run.ts' && !f.endsWith('.test.ts') && !f.startsWith('_')).map((f) => f.slice(0, -3));
// names are the bare words; an option's value (`--size full`) is not a name
const args = process.argv.slice(2);
const wanted = args.filter((a, i) => !a.startsWith('-') && !(i > 0 && args[i - 1]!.startsWith('--') && !args[i - 1]!.includes('=')));
const names = wanted.length ? wanted : all;
for (const n of names) {
  if (!all.includes(n)) {
    console.error(`Unknown benchmark "${n}". Available: ${all.join(', ')}`);
    process.exit(1);
  }
}
for (const n of names) {
  console.log(`\n=== bench ${n} ===`);
  const mod = (await import(path.join(dir, `${n}.ts`))) as { default: () => Promise<void> };
  await mod.default();
}
process.exit(0);
