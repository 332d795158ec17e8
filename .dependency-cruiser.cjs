/**
 * The rules that keep the house standing (README, "Architecture"), checked by `npm run lint`.
 * tests/unit/architecture.test.ts shows each rule catching a violation.
 */
/** Folders of pure computation: no files, databases, sockets, threads or servers. */
const PURE = [
  '^src-shared/',
  '^src-main/features/',
  '^src-main/explain/cam',
  '^src-main/explain/(perturbation|map-checks)\\.ts$',
  '^src-main/backtest/(simulate|metrics|volatility-sizing|var-backtest)\\.ts$',
  '^src-main/evaluation/',
  '^src-main/scoring/',
];
const IO_CORE = '^(node:)?(fs|fs/promises|worker_threads|http|https|net|child_process|dgram)$';
const IO_PACKAGES = '^(better-sqlite3|ws)$';

module.exports = {
  forbidden: [
    {
      name: 'no-folder-cycles',
      comment: 'Folders depend one way: two folders that import each other are one concern split in two, or two tangled.',
      severity: 'error',
      scope: 'folder',
      from: {},
      to: { circular: true },
    },
    {
      name: 'no-module-cycles',
      severity: 'error',
      from: {},
      to: { circular: true },
    },
    {
      name: 'pure-has-no-io',
      comment:
        'Features, CAM arithmetic, scoring, backtest simulation and metrics, evaluation and the domain are pure: no I/O, directly or through our own I/O modules.',
      severity: 'error',
      from: { path: PURE },
      to: { path: [IO_CORE, IO_PACKAGES, '^src-main/(store|feed|server|worker|engine|cli|market/bybit|market/fake-bybit)/'] },
    },
    {
      name: 'renderer-imports-only-shared',
      comment: 'The renderer talks to main only through the bridge: it imports the domain and the contract, never main or preload.',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { path: '^src-(main|preload)/' },
    },
    {
      name: 'renderer-has-no-node',
      severity: 'error',
      from: { path: '^src-renderer/' },
      to: { dependencyTypes: ['core'] },
    },
    {
      name: 'shared-is-the-bottom',
      comment: 'The domain and the contract import nothing of ours above them.',
      severity: 'error',
      from: { path: '^src-shared/' },
      to: { path: '^(src-main|src-renderer|src-preload|tests)/' },
    },
    {
      name: 'product-never-imports-tests',
      severity: 'error',
      from: { path: '^(src-|bin/|resources/)' },
      to: { path: '^tests/' },
    },
  ],
  options: {
    doNotFollow: { path: 'node_modules' },
    tsConfig: { fileName: 'tsconfig.json' },
    tsPreCompilationDeps: true,
    exclude: { path: '^(out|node_modules)/' },
  },
};
