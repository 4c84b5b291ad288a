import { defineConfig } from 'vitest/config';

// The suite starts many embedded clusters (one per run, and tests of their own): each keeps PostgreSQL's default
// 128 MB of shared buffers, not the quarter of the RAM a server takes (platform/db/embedded.ts). Set here, in the
// process that runs the global setup and forks the workers, so every cluster and every CLI a test spawns inherits it.
process.env.VIGIL_PG_SHARED_BUFFERS = '128MB';

export default defineConfig({
  test: {
    include: ['server/**/*.test.ts', 'web/test/**/*.test.ts', 'bench/**/*.test.ts'],
    exclude: ['**/node_modules/**', '**/dist/**'],
    globalSetup: ['server/test/global-setup.ts'],
    pool: 'forks',
    poolOptions: { forks: { maxForks: 2, minForks: 1 } },
    // Test files share their worker's module cache instead of importing the app's ~400 modules and their libraries
    // again for each of the 135 files (collecting a file cost ≈ 5 s of a busy machine; measured on 6 server files:
    // collect 32.7 s → 16.2 s). Every file still builds its own app on its own cloned database (server/test/helpers.ts),
    // so what files share is code, not state; globals a test stubs are restored after each test (unstubGlobals).
    isolate: false,
    unstubGlobals: true,
    testTimeout: 30_000,
    // expect.poll waits for what a page or job shows next; vitest's default gives up after 1 s, which a busy machine
    // exceeds (five browser tests failed so). Polls now wait as long as the test may run, less a margin so the
    // poll's own message (what it waited for) is what a failure reports.
    expect: { poll: { timeout: 25_000, interval: 50 } },
    hookTimeout: 120_000,
    teardownTimeout: 30_000,
  },
});
