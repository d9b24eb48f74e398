// chdb (543 MB of native library) is optional: a server-mode install (`npm ci --omit=optional`, the image)
// leaves it out, so nothing but the embedded path may load it.
import { readFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { describe, expect, it } from 'vitest';
import { createClickHouse } from './index.ts';

const lock = JSON.parse(readFileSync(new URL('../../../package-lock.json', import.meta.url), 'utf8')) as {
  packages: Record<string, { optional?: boolean }>;
};

describe('chdb', () => {
  it('is only reachable through optional dependencies, so --omit=optional leaves it out', () => {
    const chdb = Object.keys(lock.packages).filter((p) => /node_modules\/(@chdb\/|chdb$)/.test(p));
    expect(chdb).toContain('node_modules/chdb');
    for (const p of chdb) expect(lock.packages[p]?.optional, p).toBe(true);
  });

  it('is not loaded by a connection to a ClickHouse server', async () => {
    const ch = createClickHouse({ url: 'http://127.0.0.1:9', database: 'wapipe' });
    await ch.close();
    const loaded = Object.keys(createRequire(import.meta.url).cache);
    expect(loaded.length).toBeGreaterThan(0);
    expect(loaded.filter((path) => path.includes('/chdb/'))).toEqual([]);
  });
});
