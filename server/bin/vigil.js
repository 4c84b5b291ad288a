#!/usr/bin/env node
// Entry point for `vigil` / `npx vigil`: runs the TypeScript sources through tsx's ESM loader.
import { register } from 'tsx/esm/api';
register();
await import('../src/main.ts');
