// The workspace boundaries that lint enforces (docs/adr/0011-boundaries-in-lint.md):
// - a workspace declares every package it imports in its own package.json (@wapipe/* and third-party);
// - no relative import leaves its workspace (use the package's name and exports);
// - a workspace imports only from lower layers (LAYERS below), never from its own layer or above,
//   so no package imports a service and no service imports another;
// - there are no import cycles anywhere (between files of one workspace or across workspaces), so a
//   service's package.json `exports` points at an entry file that nothing inside the service imports back.
// tools/* (dev tools), test/ and bench/ may import any workspace; product code never imports tools/.
import { readdirSync, readFileSync, existsSync } from 'node:fs';
import { join } from 'node:path';
import { createNodeResolver, importX } from 'eslint-plugin-import-x';

const root = import.meta.dirname;

/** Lowest first. A workspace may import only workspaces of a lower layer. */
export const LAYERS = [
  // The coded-error base: imports no workspace, so every layer above may use it.
  { name: 'base', workspaces: ['packages/errors'] },
  { name: 'foundation', workspaces: ['packages/config', 'packages/observability'] },
  { name: 'events', workspaces: ['packages/events'] },
  { name: 'adapters', workspaces: ['packages/kafka', 'packages/clickhouse', 'packages/http'] },
  { name: 'pipeline', workspaces: ['packages/pipeline'] },
  {
    name: 'services',
    workspaces: [
      'services/ingress',
      'services/delivery',
      'services/replies',
      'services/failures',
      'services/archive',
      'services/api',
    ],
  },
  // Entry points that compose services: the all-in-one process and the `wapipe` command (which starts
  // the all-in-one, signs sample webhooks with the ingress's signer and lists dead letters).
  { name: 'entry points', workspaces: ['services/all-in-one', 'packages/cli'] },
];

/** Dev tools: they may import any product workspace; product workspaces never import them. */
export const TOOLS_DIR = 'tools';
/** The one product workspace that may start a dev tool: the all-in-one runs the local broker. */
const MAY_USE_TOOLS = ['services/all-in-one'];

const readJson = (path) => JSON.parse(readFileSync(path, 'utf8'));

/** Every workspace folder (relative to the repo root) with its package name. */
export function workspaces() {
  const found = [];
  for (const parent of ['packages', 'services', TOOLS_DIR]) {
    for (const entry of readdirSync(join(root, parent), { withFileTypes: true })) {
      const manifest = join(root, parent, entry.name, 'package.json');
      if (entry.isDirectory() && existsSync(manifest)) {
        found.push({ dir: `${parent}/${entry.name}`, name: readJson(manifest).name });
      }
    }
  }
  return found;
}

function layerOf(dir) {
  const index = LAYERS.findIndex((layer) => layer.workspaces.includes(dir));
  if (index === -1 && !dir.startsWith(`${TOOLS_DIR}/`)) {
    throw new Error(
      `eslint.boundaries.js: workspace ${dir} has no layer; add it to LAYERS (lowest first) so lint knows what it may import.`,
    );
  }
  return index;
}

/** One import-x/no-restricted-paths zone per product workspace: its own layer, the layers above, tools. */
function layerZones(all) {
  const zones = [];
  for (const { dir, name } of all) {
    if (dir.startsWith(`${TOOLS_DIR}/`)) continue;
    const layer = layerOf(dir);
    for (const other of all) {
      if (other.dir === dir) continue;
      const otherLayer = other.dir.startsWith(`${TOOLS_DIR}/`) ? Infinity : layerOf(other.dir);
      if (otherLayer < layer || (otherLayer === Infinity && MAY_USE_TOOLS.includes(dir))) continue;
      const why =
        otherLayer === Infinity
          ? 'product code never imports a dev tool from tools/'
          : otherLayer === layer
            ? `both are in the "${LAYERS[layer].name}" layer; move what they share into a lower layer`
            : `${other.name} is in a higher layer ("${LAYERS[otherLayer].name}" above "${LAYERS[layer].name}")`;
      zones.push({
        // The product source only: a workspace's own tests (test/) may use anything, like the shared ones.
        target: `./${dir}/src`,
        from: `./${other.dir}`,
        message: `${name} may not import ${other.name}: ${why}. Layers, lowest first: ${LAYERS.map((l) => l.name).join(' → ')} (eslint.boundaries.js).`,
      });
    }
  }
  return zones;
}

/** The flat-config blocks that enforce the boundaries. */
export function boundaryConfigs() {
  const all = workspaces();
  const wapipeNames = all.map((w) => w.name);
  return [
    {
      plugins: { 'import-x': importX },
      settings: {
        'import-x/extensions': ['.ts', '.js'],
        'import-x/parsers': { '@typescript-eslint/parser': ['.ts'] },
        'import-x/resolver-next': [createNodeResolver({ extensions: ['.ts', '.js', '.json'] })],
      },
      rules: {
        // Counts value imports; `import type` is erased at run time and does not make a cycle here.
        'import-x/no-cycle': ['error', { ignoreExternal: true }],
        'import-x/no-relative-packages': 'error',
        'import-x/no-restricted-paths': ['error', { basePath: root, zones: layerZones(all) }],
      },
    },
    // Each workspace's own package.json must list what its files import. Its unit tests may also use
    // the root's devDependencies (vitest, fast-check): the workspaces have no devDependencies of their own.
    ...all.map(({ dir }) => ({
      files: [`${dir}/**`],
      rules: {
        'import-x/no-extraneous-dependencies': [
          'error',
          {
            includeInternal: true,
            packageDir: [join(root, dir), root],
            devDependencies: ['**/*.test.ts'],
            // chdb is optional (server-mode images leave it out); only the embedded-engine path loads it.
            optionalDependencies: true,
          },
        ],
      },
    })),
    {
      // test/ and bench/ belong to the root package: they may import any workspace, and declare their
      // third-party imports in the root package.json.
      files: ['test/**', 'bench/**', '*.ts', '*.js'],
      rules: {
        'import-x/no-extraneous-dependencies': [
          'error',
          { includeInternal: true, devDependencies: true, whitelist: wapipeNames },
        ],
      },
    },
    {
      // Benchmarks time a service's own query or retention code without its HTTP layer, which only the
      // service's files export; they are dev-only and never imported by product code.
      files: ['bench/**'],
      rules: { 'import-x/no-relative-packages': 'off' },
    },
    {
      // A workspace's own tests (services/<name>/test/) may import any workspace by name, and the shared
      // test support in test/support and test/harness by a relative path; never another workspace's files.
      files: ['packages/*/test/**', 'services/*/test/**', `${TOOLS_DIR}/*/test/**`],
      rules: {
        'import-x/no-relative-packages': 'off',
        // Like test/: third-party test imports are the root's devDependencies.
        'import-x/no-extraneous-dependencies': [
          'error',
          { includeInternal: true, devDependencies: true, packageDir: root, whitelist: wapipeNames },
        ],
        'no-restricted-imports': [
          'error',
          {
            patterns: [
              {
                regex: '^(\\.\\./){2,}(?!(\\.\\./)*test/(support|harness)/)',
                message:
                  "A workspace's test imports its own workspace's files, the shared test/support and test/harness, or a package by name.",
              },
            ],
          },
        ],
      },
    },
  ];
}
