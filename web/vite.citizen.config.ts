// The citizen pages: checkin.html (a poster's QR, /c/<token>) and khai-bao.html (declaring without an account,
// /khai-bao). Built apart from the staff app, on Preact (preact/compat, ~10 kB) instead of React DOM (~60 kB
// compressed), so a cheap phone on a slow network gets them quickly; their code is plain React. Runs after
// vite.config.ts (which empties dist/) and adds its files to the same dist/.
import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import { precompress } from './build/precompress';

const root = fileURLToPath(new URL('.', import.meta.url));
const input: Record<string, string> = {};
for (const page of ['checkin', 'khai-bao']) {
  const file = resolve(root, `${page}.html`);
  if (existsSync(file)) input[page] = file;
}

export default defineConfig({
  root,
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  resolve: {
    alias: [
      { find: /^react$/, replacement: 'preact/compat' },
      { find: /^react-dom$/, replacement: 'preact/compat' },
      { find: /^react-dom\/client$/, replacement: 'preact/compat/client' },
      { find: /^react\/jsx-(dev-)?runtime$/, replacement: 'preact/jsx-runtime' },
    ],
  },
  plugins: [precompress()],
  build: {
    outDir: 'dist',
    emptyOutDir: false,
    rollupOptions: {
      input,
      // libraries' "use client" lines mean nothing without server components (plugin-react hides them the same way)
      onwarn(warning, warn) {
        if (warning.code !== 'MODULE_LEVEL_DIRECTIVE') warn(warning);
      },
    },
  },
});
