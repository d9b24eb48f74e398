// Lint is part of `npm test`; warnings fail it (--max-warnings=0).
import tseslint from 'typescript-eslint';

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
    // Dev tools are not product: no package and no split service imports tools/ (only the all-in-one, the
    // tests and the benchmarks do). A rule of its own, so it adds to each folder's no-restricted-imports.
    files: ['packages/**', 'services/!(all-in-one)/**'],
    rules: {
      '@typescript-eslint/no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['@wapipe/local-*', '**/tools/*'],
              message:
                'Dev tools (tools/*) are not product code; only the all-in-one, tests and benches use them.',
            },
          ],
        },
      ],
    },
  },
  {
    files: ['packages/kafka/**'],
    rules: {
      'no-restricted-imports': [
        'error',
        onlyInPackage('clickhouse', ['@clickhouse/client', 'chdb', 'chdb/connection']),
      ],
    },
  },
  {
    files: ['packages/clickhouse/**'],
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
    ],
    rules: {
      'no-restricted-imports': [
        'error',
        {
          paths: [
            ...onlyInPackage('kafka', ['kafkajs']).paths,
            ...onlyInPackage('clickhouse', ['@clickhouse/client', 'chdb', 'chdb/connection']).paths,
            ...['ingress', 'delivery', 'replies', 'failures', 'api'].map((s) => ({
              name: `@wapipe/${s}`,
              message: 'A service never imports another service.',
            })),
          ],
          patterns: [
            { group: ['@wapipe/*/*'], message: 'Deep imports are not allowed; use the package exports.' },
          ],
        },
      ],
    },
  },
);
