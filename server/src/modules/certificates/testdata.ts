// Where the shared test data lives: `shared/testdata` beside the repository (CI) or beside one of its ancestors
// (a worktree under /work/wt/<name>); VIGIL_TESTDATA overrides. Test-only helper.
import fs from 'node:fs';
import path from 'node:path';

export function sharedTestdata(sub: string): string {
  if (process.env.VIGIL_TESTDATA) return path.join(process.env.VIGIL_TESTDATA, sub);
  let dir = path.resolve(new URL('../../../..', import.meta.url).pathname);
  for (;;) {
    const candidate = path.join(dir, '..', 'shared', 'testdata', sub);
    if (fs.existsSync(candidate)) return candidate;
    const parent = path.dirname(dir);
    if (parent === dir) throw new Error(`shared/testdata/${sub} not found beside the repository or its ancestors`);
    dir = parent;
  }
}
