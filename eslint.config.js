// Lint is part of `npm test`; warnings fail it (--max-warnings=0).
import tseslint from 'typescript-eslint';
import { boundaryConfigs } from './eslint.boundaries.js';

const onlyInPackage = (pkg, names) => ({
  paths: names.map((name) => ({
    name,
    message: `Import ${name} only inside packages/${pkg}; use @wapipe/${pkg}.`,
  })),
  patterns: [
    {
      group: ['@wapipe/*/src/*', '@wapipe/*/*'],
      message: 'Deep imports are not allowed; use the package exports.',
    },
  ],
});

// Dev tools (tools/*: the local ClickHouse server, …) serve tests, benchmarks and a developer's machine.
const noDevTools = {
  group: ['@wapipe/local-*', '**/tools/**'],
  message: 'Product code (packages/, services/) never imports a dev tool from tools/.',
};
const inProduct = (rule) => ({ ...rule, patterns: [...(rule.patterns ?? []), noDevTools] });

export default tseslint.config(
  { ignores: ['**/node_modules/**', '.cache/**', '.data/**', 'coverage/**'] },
  ...tseslint.configs.recommended,
  {
    rules: {
      '@typescript-eslint/consistent-type-imports': 'error',
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_', varsIgnorePattern: '^_' }],
      'no-restricted-imports': [
        'error',
        {
          ...onlyInPackage('kafka', ['kafkajs']),
          paths: [
            ...onlyInPackage('kafka', ['kafkajs']).paths,
            ...onlyInPackage('clickhouse', ['@clickhouse/client', 'chdb', 'chdb/connection']).paths,
          ],
        },
      ],
    },
  },
  {
    // The all-in-one may start dev tools (the local broker); packages and split services never do.
    files: ['packages/**', 'services/!(all-in-one)/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        inProduct({
          ...onlyInPackage('kafka', ['kafkajs']),
          paths: [
            ...onlyInPackage('kafka', ['kafkajs']).paths,
            ...onlyInPackage('clickhouse', ['@clickhouse/client', 'chdb', 'chdb/connection']).paths,
          ],
        }),
      ],
    },
  },
  {
    // The local Kafka broker is a dev tool that runs kafkajs for its readiness probe.
    files: ['tools/local-kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        onlyInPackage('clickhouse', ['@clickhouse/client', 'chdb', 'chdb/connection']),
      ],
    },
  },
  {
    files: ['packages/kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        inProduct(onlyInPackage('clickhouse', ['@clickhouse/client', 'chdb', 'chdb/connection'])),
      ],
    },
  },
  {
    files: ['packages/clickhouse/**'],
    rules: { 'no-restricted-imports': ['error', inProduct(onlyInPackage('kafka', ['kafkajs']))] },
  },
  {
    // The local ClickHouse server drives chdb itself: it is a dev tool, not the product's ClickHouse layer.
    files: ['tools/local-clickhouse/**'],
    rules: { 'no-restricted-imports': ['error', onlyInPackage('kafka', ['kafkajs'])] },
  },
  {
    // A service never imports another service; only the all-in-one composes them.
    files: [
      'services/ingress/**',
      'services/delivery/**',
      'services/replies/**',
      'services/failures/**',
      'services/api/**',
      'services/archive/**',
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...onlyInPackage('kafka', ['kafkajs']).paths,
            ...onlyInPackage('clickhouse', ['@clickhouse/client', 'chdb', 'chdb/connection']).paths,
            ...['ingress', 'delivery', 'replies', 'failures', 'api', 'archive'].map((s) => ({
              name: `@wapipe/${s}`,
              message: 'A service never imports another service.',
            })),
          ],
          patterns: [
            { group: ['@wapipe/*/*'], message: 'Deep imports are not allowed; use the package exports.' },
            noDevTools,
          ],
        },
      ],
    },
  },
  ...boundaryConfigs(),
);
