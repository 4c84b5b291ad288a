import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig, type ProxyOptions } from 'vite';
import { VitePWA } from 'vite-plugin-pwa';
import { precompress } from './build/precompress';

const root = fileURLToPath(new URL('.', import.meta.url));

// The staff app (index.html). The citizen pages (checkin.html, khai-bao.html) are a second build on Preact, see
// vite.citizen.config.ts; `npm run build` runs both, this one first (it empties dist/).
const input: Record<string, string> = { index: resolve(root, 'index.html') };

// Where /api goes in `vite` (dev) and `vite preview`. VIGIL_API_URL lets tests and mock servers point elsewhere.
const apiTarget = process.env.VIGIL_API_URL ?? 'http://127.0.0.1:8080';
const proxy: Record<string, ProxyOptions> = { '/api': { target: apiTarget, changeOrigin: false } };

export default defineConfig({
  root,
  plugins: [
    react(),
    // The gate page (staff, at an entrance with a patchy network) and the sampling page (field staff at a mass-testing
    // table) must open offline after a first visit: a service worker precaches the staff app and keeps the few GET
    // answers they need (who is signed in, the entrances, the sampling points and test types). Registered by those
    // two pages only (see features/gate/offline.ts), so citizens' phones never get it.
    VitePWA({
      injectRegister: false,
      registerType: 'autoUpdate',
      manifest: false,
      workbox: {
        globPatterns: ['index.html', 'assets/*.{js,css}', 'favicon.svg'],
        maximumFileSizeToCacheInBytes: 3 * 1024 * 1024,
        navigateFallback: 'index.html',
        navigateFallbackAllowlist: [/^\/gate(\/|$)/, /^\/sampling(\/|$)/],
        cleanupOutdatedCaches: true,
        runtimeCaching: [
          {
            urlPattern: ({ url, request }) =>
              request.method === 'GET' &&
              (url.pathname === '/api/auth/me' ||
                url.pathname === '/api/venues' ||
                /^\/api\/venues\/[0-9a-f-]{36}$/.test(url.pathname) ||
                url.pathname === '/api/testing/points' ||
                url.pathname === '/api/testing/test-types'),
            handler: 'NetworkFirst',
            options: { cacheName: 'vigil-gate-api', networkTimeoutSeconds: 4, expiration: { maxEntries: 120, maxAgeSeconds: 7 * 86400 } },
          },
        ],
      },
    }),
    precompress(),
  ],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    rollupOptions: {
      input,
      output: {
        // React in a long-lived chunk of its own, so a feature change does not bust it. Mantine is left to Rollup:
        // one chunk of all of it would make the declaration page load the staff app's tables, modals and menus.
        manualChunks(id) {
          if (!id.includes('node_modules')) return undefined;
          if (/node_modules\/(react|react-dom|scheduler)\//.test(id)) return 'react';
          // ECharts' renderer (zrender) in a chunk of its own: with it, the charts chunk that the home page, the case,
          // follow-up and testing pages share was 507 kB (Vite's warning). Both still load only on the pages that draw
          // a chart (their pages import the chart components; no other page does), and a chart change keeps zrender
          // cached.
          if (/node_modules\/zrender\//.test(id)) return 'zrender';
          return undefined;
        },
      },
    },
  },
  server: { proxy },
  preview: { proxy },
});
