import { existsSync } from 'node:fs';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

// index.html is the staff app. checkin.html (the light citizen entry) is added by another module;
// list it only when it exists so the build works before and after it lands.
const input: Record<string, string> = { index: resolve(root, 'index.html') };
const checkin = resolve(root, 'checkin.html');
if (existsSync(checkin)) input.checkin = checkin;

// Where /api goes in `vite` (dev) and `vite preview`. VIGIL_API_URL lets tests and mock servers point elsewhere.
const apiTarget = process.env.VIGIL_API_URL ?? 'http://127.0.0.1:8080';
const proxy: Record<string, ProxyOptions> = { '/api': { target: apiTarget, changeOrigin: false } };

export default defineConfig({
  root,
  plugins: [react()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input,
      output: {
        // Long-lived vendor chunks so a feature change does not bust the React/Mantine cache.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
          if (id.includes('node_modules/@mantine/')) return 'mantine';
          return undefined;
        },
      },
    },
  },
  server: { proxy },
  preview: { proxy },
});
