// The workspace boundaries are real only if lint fails on a bad import. Each case lints a small file
// through ESLint's Node API with the repo's own config, at a path inside a workspace, and names the rule
// that must refuse it; a good import at the same place must pass (so the rules do not refuse everything).
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { ESLint } from 'eslint';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';

const root = new URL('../../', import.meta.url).pathname;
const eslint = new ESLint({ cwd: root });

/** The boundary rules' messages for `code` linted as if it were the file at `path` (repo-relative). */
async function boundaryErrors(path: string, code: string) {
  const [result] = await eslint.lintText(code, { filePath: join(root, path) });
  return result!.messages
    .filter((m) => m.ruleId?.startsWith('import-x/'))
    .map((m) => ({ rule: m.ruleId, message: m.message }));
}

describe('lint refuses imports across the workspace boundaries', { timeout: 60_000 }, () => {
  it('a package importing a service', async () => {
    const errors = await boundaryErrors(
      'packages/pipeline/src/bad.ts',
      `import { startApi } from '@wapipe/api';\nexport const s = startApi;\n`,
    );
    expect(errors).toContainEqual({
      rule: 'import-x/no-restricted-paths',
      message: expect.stringContaining('@wapipe/pipeline may not import @wapipe/api'),
    });
  });

  it('a relative import that leaves its workspace', async () => {
    // events is below delivery and delivery declares it: only the relative path is wrong here.
    const errors = await boundaryErrors(
      'services/delivery/src/bad.ts',
      `import { metaEnvelope } from '../../../packages/events/src/index.ts';\nexport const m = metaEnvelope;\n`,
    );
    expect(errors.map((e) => e.rule)).toEqual(['import-x/no-relative-packages']);
  });

  it("a service's test reaching into another workspace's files, but not into the shared test support", async () => {
    const errors = await boundaryErrors(
      'services/api/test/bad.test.ts',
      `import { startDelivery } from '../../delivery/src/app.ts';\nexport const s = startDelivery;\n`,
    );
    expect(errors).toEqual([]); // not an import-x finding: the test-folder rule below refuses it
    const [result] = await eslint.lintText(
      `import { startDelivery } from '../../delivery/src/app.ts';\nexport const s = startDelivery;\n`,
      { filePath: join(root, 'services/api/test/bad.test.ts') },
    );
    expect(result!.messages.map((m) => m.ruleId)).toContain('no-restricted-imports');
    const [shared] = await eslint.lintText(
      `import { waitFor } from '../../../test/harness/kafka.ts';\nimport { startApi } from '@wapipe/api';\nexport const x = [waitFor, startApi];\n`,
      { filePath: join(root, 'services/delivery/test/good.test.ts') },
    );
    expect(shared!.messages.filter((m) => m.ruleId !== null && /import/.test(m.ruleId))).toEqual([]);
  });

  it('an undeclared @wapipe dependency, and an undeclared third-party one', async () => {
    // kafka sits above events (so the layer order allows it) but its package.json does not declare it.
    const wapipe = await boundaryErrors(
      'packages/kafka/src/bad.ts',
      `import { metaEnvelope } from '@wapipe/events';\nexport const m = metaEnvelope;\n`,
    );
    expect(wapipe).toEqual([
      {
        rule: 'import-x/no-extraneous-dependencies',
        message: expect.stringContaining("'@wapipe/events' should be listed"),
      },
    ]);
    const thirdParty = await boundaryErrors(
      'packages/events/src/bad.ts',
      `import { Hono } from 'hono';\nexport const h = Hono;\n`,
    );
    expect(thirdParty.map((e) => e.rule)).toEqual(['import-x/no-extraneous-dependencies']);
  });

  it('an import from a higher layer, from the same layer, and of a dev tool', async () => {
    const up = await boundaryErrors(
      'packages/events/src/bad.ts',
      `import { topicCatalog } from '@wapipe/kafka';\nexport const t = topicCatalog;\n`,
    );
    expect(up).toContainEqual({
      rule: 'import-x/no-restricted-paths',
      message: expect.stringContaining('@wapipe/kafka is in a higher layer'),
    });
    const peer = await boundaryErrors(
      'services/delivery/src/bad.ts',
      `import { repliesEnv } from '@wapipe/replies';\nexport const r = repliesEnv;\n`,
    );
    expect(peer).toContainEqual({
      rule: 'import-x/no-restricted-paths',
      message: expect.stringContaining('both are in the "services" layer'),
    });
    const tool = await boundaryErrors(
      'services/api/src/bad.ts',
      `import { startScratchBroker } from '@wapipe/local-kafka';\nexport const b = startScratchBroker;\n`,
    );
    expect(tool).toContainEqual({
      rule: 'import-x/no-restricted-paths',
      message: expect.stringContaining('product code never imports a dev tool'),
    });
  });

  it('passes declared imports from lower layers, in product code and in the shared tests', async () => {
    const good = `import { metaEnvelope } from '@wapipe/events';\nimport { startConsumerService } from '@wapipe/pipeline';\nexport const x = [metaEnvelope, startConsumerService];\n`;
    expect(await boundaryErrors('services/delivery/src/good.ts', good)).toEqual([]);
    // test/ may import any workspace, services included.
    const crossing = `import { startApi } from '@wapipe/api';\nimport { startScratchBroker } from '@wapipe/local-kafka';\nexport const x = [startApi, startScratchBroker];\n`;
    expect(await boundaryErrors('test/support/good.ts', crossing)).toEqual([]);
  });
});

describe('lint refuses an import cycle', { timeout: 60_000 }, () => {
  // A cycle needs both files on disk (the rule follows the other file's imports). They go in a folder
  // outside src/, where neither the typecheck nor vitest looks, and are removed after.
  let dir: string;
  beforeAll(async () => {
    dir = await mkdtemp(join(root, 'services/replies/lint-cycle-'));
    await writeFile(
      join(dir, 'a.ts'),
      `import { b } from './b.ts';\nexport const a = (): number => b() + 1;\n`,
    );
    await writeFile(
      join(dir, 'b.ts'),
      `import { a } from './a.ts';\nexport const b = (): number => a() - 1;\n`,
    );
  });
  afterAll(() => rm(dir, { recursive: true, force: true }));

  it('between two files of one workspace', async () => {
    const [result] = await eslint.lintFiles([join(dir, 'a.ts')]);
    expect(result!.messages.map((m) => m.ruleId)).toContain('import-x/no-cycle');
  });
});

describe('every service is entered through one file', () => {
  it("each service's package.json exports names a file that exists", async () => {
    for (const service of ['ingress', 'delivery', 'replies', 'failures', 'archive', 'api', 'all-in-one']) {
      const manifest = JSON.parse(await readFile(join(root, 'services', service, 'package.json'), 'utf8'));
      const entry: unknown = manifest.exports?.['.'];
      expect(entry, `services/${service}/package.json exports["."]`).toMatch(/^\.\/src\/[\w-]+\.ts$/);
      expect(existsSync(join(root, 'services', service, entry as string)), `${service}: ${entry}`).toBe(true);
    }
  });
});
