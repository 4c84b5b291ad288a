/// <reference types="vite-plugin-pwa/client" />
// The gate page opens without a network after a first visit: the service worker (vite-plugin-pwa / Workbox, see
// vite.config.ts) precaches the staff app and keeps the gate's GET answers (who is signed in, the entrances).
// Registered from the gate and sampling pages only, so it is installed on those staff phones, not on every officer's
// or citizen's.
import { registerSW } from 'virtual:pwa-register';

let started = false;

/** Registers the service worker once; `ready` is called when the page can be reopened offline. */
export function keepGateOffline(ready: () => void) {
  if (started || !('serviceWorker' in navigator)) return;
  started = true;
  void registerSW({ immediate: true, onOfflineReady: ready, onRegisteredSW: (_url, reg) => reg?.active && ready() });
}
