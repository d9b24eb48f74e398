import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { describe, expect, it } from 'vitest';

const run = promisify(execFile);
const cli = new URL('./cli.ts', import.meta.url).pathname;
const redrive = async (...args: string[]) => {
  try {
    const { stdout, stderr } = await run(process.execPath, ['--import', 'tsx', cli, ...args], {
      env: { ...process.env, KAFKA_BROKERS: '' },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const e = error as { code: number; stdout: string; stderr: string };
    return { code: e.code, stdout: e.stdout, stderr: e.stderr };
  }
};

describe('npm run redrive', () => {
  it('prints its usage after an unknown option, and exits 2', { timeout: 30_000 }, async () => {
    const { code, stderr } = await redrive('delivery', '--bogus');
    expect(code).toBe(2);
    expect(stderr).toMatch(/^unknown option '--bogus'\n\nusage: npm run redrive -- /);
    expect(stderr).not.toContain('ERR_PARSE_ARGS');
  });

  it(
    'says in its help where the records go: back into the raw topic, marked for the consumer',
    { timeout: 30_000 },
    async () => {
      const { code, stdout } = await redrive('--help');
      expect(code).toBe(0);
      expect(stdout).toContain('back into the raw topic');
      expect(stdout).not.toContain('redrive topic');
    },
  );
});
