// /proc/<pid>/stat read in one place: fields after a command name with spaces and parentheses, CPU that grows,
// children, zombies.
import { spawn } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { childPids, procAlive, procCpuMs, procStat } from './proc';

describe('/proc/<pid>/stat', () => {
  it("reads the fields after a command name holding spaces and ')'", async () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-proc-'));
    const odd = path.join(dir, 'sl ) 1 2 p');
    fs.copyFileSync('/bin/sleep', odd);
    fs.chmodSync(odd, 0o755);
    const child = spawn(odd, ['30'], { stdio: 'ignore' });
    try {
      await new Promise((r) => child.once('spawn', r));
      await expect.poll(() => fs.readFileSync(`/proc/${child.pid}/stat`, 'utf8')).toContain('(sl ) 1 2 p)');
      expect(Number(procStat(child.pid!)[1])).toBe(process.pid); // ppid
      expect(childPids(process.pid)).toContain(child.pid);
      expect(procAlive(child.pid!)).toBe(true);
    } finally {
      const exited = new Promise((r) => child.once('exit', r));
      child.kill('SIGKILL');
      await exited;
      fs.rmSync(dir, { recursive: true, force: true });
    }
    expect(procAlive(child.pid!)).toBe(false);
    expect(procCpuMs(child.pid!)).toBeNull();
  });

  it('gives CPU ms that grow with work', () => {
    const before = procCpuMs(process.pid)!;
    const t0 = process.cpuUsage();
    let x = 0;
    while ((process.cpuUsage(t0).user + process.cpuUsage(t0).system) / 1000 < 60) x += Math.sqrt(x + 1);
    expect(x).toBeGreaterThan(0);
    expect(procCpuMs(process.pid)! - before).toBeGreaterThanOrEqual(30);
    expect(procCpuMs(null)).toBeNull();
  });
});
