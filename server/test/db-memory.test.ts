// The embedded PostgreSQL's memory: a server's tuning from the machine's RAM (shared_buffers a quarter, bounded),
// VIGIL_PG_SHARED_BUFFERS to override it, and the test suite's clusters kept at 128 MB.
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { sql } from 'kysely';
import { openDatabase } from '../src/platform/db';
import { embeddedMemorySettings, parseMegabytes, startEmbeddedPostgres, type PostgresHandle } from '../src/platform/db/embedded';

const GB = 1024 ** 3;

describe('embedded PostgreSQL memory settings', () => {
  it('takes a quarter of the RAM for shared buffers, at least 128 MB and at most 8 GB, and half for effective_cache_size', () => {
    expect(embeddedMemorySettings({}, 23.4 * GB)).toEqual({ sharedBuffersMb: 5990, effectiveCacheSizeMb: 11980 });
    expect(embeddedMemorySettings({}, 64 * GB)).toEqual({ sharedBuffersMb: 8192, effectiveCacheSizeMb: 32768 });
    expect(embeddedMemorySettings({}, 0.25 * GB)).toEqual({ sharedBuffersMb: 128, effectiveCacheSizeMb: 128 });
  });

  it('VIGIL_PG_SHARED_BUFFERS overrides shared_buffers; a bad or oversized value stops the start with its name', () => {
    expect(embeddedMemorySettings({ VIGIL_PG_SHARED_BUFFERS: '2GB' }, 16 * GB).sharedBuffersMb).toBe(2048);
    expect(embeddedMemorySettings({ VIGIL_PG_SHARED_BUFFERS: '512MB' }, 16 * GB).sharedBuffersMb).toBe(512);
    expect(embeddedMemorySettings({ VIGIL_PG_SHARED_BUFFERS: '300' }, 16 * GB).sharedBuffersMb).toBe(300);
    expect(() => embeddedMemorySettings({ VIGIL_PG_SHARED_BUFFERS: 'lots' }, 16 * GB)).toThrow(/VIGIL_PG_SHARED_BUFFERS/);
    expect(() => embeddedMemorySettings({ VIGIL_PG_SHARED_BUFFERS: '15GB' }, 16 * GB)).toThrow(/VIGIL_PG_SHARED_BUFFERS.*80 %/);
    expect(parseMegabytes('1.5GB')).toBe(1536);
    expect(parseMegabytes('64kB')).toBe(0);
    expect(parseMegabytes('-1MB')).toBeNull();
  });

  describe('a cluster started by the suite', () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'vigil-memory-'));
    let pg: PostgresHandle | undefined;
    afterAll(async () => {
      await pg?.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    });

    it('runs with the suite’s 128 MB of shared buffers and the effective_cache_size it was given', { timeout: 120_000 }, async () => {
      expect(process.env.VIGIL_PG_SHARED_BUFFERS).toBe('128MB');
      pg = await startEmbeddedPostgres({ dataDir, database: 'vigil' });
      const h = openDatabase(pg.url, null, 1);
      try {
        const show = async (name: string) => (await sql<{ v: string }>`select current_setting(${name}) as v`.execute(h.db)).rows[0]!.v;
        expect(await show('shared_buffers')).toBe('128MB');
        expect(await show('effective_cache_size')).toBe(`${embeddedMemorySettings().effectiveCacheSizeMb}MB`.replace(/^(\d+)MB$/, (_, n: string) => (Number(n) % 1024 === 0 ? `${Number(n) / 1024}GB` : `${n}MB`)));
      } finally {
        await h.close();
      }
    });
  });
});
