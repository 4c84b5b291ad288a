#!/usr/bin/env node
// Entry point for `vigil` / `npx vigil`: runs the TypeScript sources through tsx's ESM loader.
import { register } from 'tsx/esm/api';
register();
// `vigil cert verify` needs neither the database nor the server: it loads only the verifier (see verify-main.ts)
const [command, sub] = process.argv.slice(2);
await import(command === 'cert' && sub === 'verify' ? '../src/modules/certificates/verify-main.ts' : '../src/main.ts');
