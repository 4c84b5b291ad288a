// Entry of a verification worker thread (verify-pool.ts): the server runs TypeScript through tsx, and a worker thread
// does not inherit the main thread's loader, so it registers tsx itself before importing the worker.
import { register } from 'tsx/esm/api';

register();
await import('./verify-worker.ts');
