// The layers of tenantscope (docs/development.md), checked in `npm test` by `npm run deps`.
// Dependencies point down:
//   services/core  <-  services/storage  <-  services/config  <-  collectors  <-  services/{auth,sla,noisy}
//   <-  services/metrics  <-  adapters (services/api, services/queue, services/cli, services/root)
// Folder-level cycles, which these rules cannot all see, are checked by test/layers.test.ts.
const ADAPTERS = '^services/(api|queue|cli|root)/';

/** A rule forbidding `from` to import anything matching `to`. */
const forbid = (name, comment, from, to) => ({
  name,
  comment,
  severity: 'error',
  from: { path: from, pathNot: '\\.test\\.ts$' },
  to: { path: to },
});

module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      comment: 'A module cycle: one side must own the shared piece.',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    forbid(
      'core-is-the-leaf',
      'services/core imports nothing of ours.',
      '^services/core/',
      '^services/(?!core/)|^(collectors|simulator|bench|dashboards|alert-rules|mixin|test)/',
    ),
    forbid(
      'storage-has-no-domain',
      'services/storage knows tables and connections, no domain types.',
      '^services/storage/',
      '^(collectors|simulator|bench|dashboards|alert-rules|mixin|test)/|^services/(?!storage/|core/)',
    ),
    forbid(
      'config-below-the-domain',
      'The fleet file and environment are read before any domain module exists.',
      '^services/config/',
      '^(collectors|simulator|bench|dashboards|alert-rules|mixin|test)/|^services/(?!config/|core/|storage/)',
    ),
    forbid(
      'collectors-below-services',
      'A collector reads its source and stores what it yields: it may use collectors/lib, core, storage and config, nothing above.',
      '^collectors/',
      '^(simulator|bench|dashboards|alert-rules|mixin|test)/|^services/(?!core/|storage/|config/)',
    ),
    {
      name: 'sources-apart',
      comment: 'One source folder never imports another; what two share goes to collectors/lib.',
      severity: 'error',
      from: { path: '^collectors/([^/]+)/', pathNot: ['^collectors/lib/', '\\.test\\.ts$'] },
      to: { path: '^collectors/[^/]+/', pathNot: ['^collectors/$1/', '^collectors/lib/'] },
    },
    forbid('lib-knows-no-source', 'collectors/lib serves every source and names none.', '^collectors/lib/', '^collectors/(?!lib/)'),
    forbid(
      'sla-and-noisy-apart',
      'The SLA engine and the noisy-neighbour detector never import each other.',
      '^services/sla/',
      '^services/noisy/',
    ),
    forbid(
      'noisy-and-sla-apart',
      'The SLA engine and the noisy-neighbour detector never import each other.',
      '^services/noisy/',
      '^services/sla/',
    ),
    forbid(
      'domain-below-metrics',
      'The domain modules know nothing of /metrics.',
      '^(collectors|services/(auth|sla|noisy))/',
      '^services/metrics/',
    ),
    forbid(
      'nothing-imports-adapters',
      'HTTP routes, queue workers, CLI commands and the composition root are imported by nobody below them.',
      '^(collectors|simulator|dashboards|alert-rules|mixin)/|^services/(?!api/|queue/|cli/|root/)',
      ADAPTERS,
    ),
    forbid(
      'api-not-queue-or-cli',
      'The API is one adapter; the composition root wires it to the others.',
      '^services/api/',
      '^services/(queue|cli|root)/',
    ),
    forbid(
      'queue-not-api-or-cli',
      'The queue workers are one adapter; the composition root wires them to the others.',
      '^services/queue/',
      '^services/(api|cli|root)/',
    ),
    forbid('root-not-cli', 'The composition root serves the CLI, not the reverse.', '^services/root/', '^services/cli/'),
    forbid(
      'simulator-is-a-product',
      'The simulator speaks the sources formats; it needs the fleet file and core only.',
      '^simulator/',
      '^(collectors|bench|test)/|^services/(?!core/|config/)',
    ),
    forbid(
      'tests-stay-out-of-products',
      'Test helpers are for tests only.',
      '^(services|collectors|simulator|dashboards|alert-rules|mixin|bench)/',
      '^test/',
    ),
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    exclude: { path: '^node_modules' },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' },
    enhancedResolveOptions: { extensions: ['.ts', '.mts', '.js', '.json'] },
  },
};
