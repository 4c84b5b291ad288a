// `npm run bench -- calls`: the robot-call benchmarks, media (calls-media.ts: concurrent calls into SIPp, frame
// lateness) then the dialer (calls-dialer.ts: planning and the simulated provider), whichever are present.
import fs from 'node:fs';
import path from 'node:path';

export default async function main() {
  const dir = path.dirname(new URL(import.meta.url).pathname);
  for (const part of ['calls-media', 'calls-dialer']) {
    const file = path.join(dir, `${part}.ts`);
    if (!fs.existsSync(file)) {
      console.log(`(${part}: not in this build)`);
      continue;
    }
    console.log(`\n--- ${part} ---`);
    const mod = (await import(file)) as { default: () => Promise<void> };
    await mod.default();
  }
}
