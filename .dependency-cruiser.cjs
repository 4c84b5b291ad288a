// Module boundaries from ARCHITECTURE.md, checked by `npm run lint` (part of `npm test`).
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'platform-imports-no-module',
      comment: 'platform/ is cross-cutting and knows no domain module',
      severity: 'error',
      from: { path: '^server/src/platform/' },
      to: { path: '^server/src/modules/' },
    },
    {
      name: 'modules-only-through-index',
      comment: 'a module imports another module only through its index.ts',
      severity: 'error',
      from: { path: '^server/src/modules/([^/]+)/' },
      to: { path: '^server/src/modules/([^/]+)/', pathNot: ['^server/src/modules/$1/', '^server/src/modules/[^/]+/index\\.ts$'] },
    },
    {
      name: 'tests-and-benches-use-module-index',
      comment: 'cross-module tests (server/test) and benchmarks use a module through its index.ts (or its test-fixtures.ts, made for tests), like other modules',
      severity: 'error',
      from: { path: '^(server/test|bench)/' },
      to: { path: '^server/src/modules/[^/]+/', pathNot: ['^server/src/modules/[^/]+/(index|test-fixtures)\\.ts$'] },
    },
    {
      name: 'no-circular',
      severity: 'error',
      from: { path: '^(server/src|server/test|bench)/' },
      to: { circular: true, viaOnly: { dependencyTypesNot: ['type-only'] } },
    },
    {
      name: 'web-imports-only-server-types',
      comment: 'the web app may import request/response types from the server, never its runtime code',
      severity: 'error',
      from: { path: '^web/src/' },
      to: { path: '^server/', dependencyTypesNot: ['type-only'] },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '(^|/)(node_modules|dist)/' },
    tsPreCompilationDeps: true,
    enhancedResolveOptions: { extensions: ['.ts', '.tsx', '.js', '.json'] },
  },
};
