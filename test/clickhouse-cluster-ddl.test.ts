// Issue 19, ClickHouse clusters: with CLICKHOUSE_CLUSTER set, every service's migrations (its own and its
// journal's) run ON CLUSTER, every MergeTree table becomes Replicated* with a Distributed `<table>_all`,
// and the dedup window is the replicated one. Checked as text, since no cluster runs here; the embedded
// engine's parser checks that every rewritten statement is valid ClickHouse SQL. Without the setting,
// migrate() runs exactly the statements it always ran.
import { afterAll, describe, expect, it } from 'vitest';
import { archiveMigrations } from '@wapipe/archive';
import { createClickHouse, migrationDdl } from '@wapipe/clickhouse';
import type { Migration } from '@wapipe/clickhouse';
import { deliveryMigrations } from '@wapipe/delivery';
import { failuresMigrations } from '@wapipe/failures';
import { journalMigrations } from '@wapipe/pipeline';
import { repliesMigrations } from '@wapipe/replies';
import { testClickHouse } from './harness/clickhouse.ts';

const db = 'wapipe';
const services: Record<string, () => Promise<Migration[]>> = {
  delivery: deliveryMigrations,
  replies: repliesMigrations,
  failures: failuresMigrations,
  archive: archiveMigrations,
};

const mergeTreeTables = (statements: string[]) =>
  statements.flatMap((s) => {
    const m = /^CREATE TABLE IF NOT EXISTS wapipe\.(\w+)[\s\S]*\bENGINE\s*=\s*(\w*MergeTree)/.exec(s);
    return m ? [{ table: m[1]!, engine: m[2]! }] : [];
  });

describe.each(Object.keys(services))('the %s migrations on a cluster', (service) => {
  const owners = async () => [await services[service]!(), journalMigrations(service)];

  it('run every statement ON CLUSTER, with replicated engines, dedup windows and Distributed reads', async () => {
    for (const migrations of await owners()) {
      const single = migrationDdl(migrations, db);
      const clustered = migrationDdl(migrations, db, 'wapipe');
      for (const statement of clustered) {
        expect(statement).toMatch(/^(CREATE|ALTER|DROP) [A-Z ]*?wapipe\.\w+ ON CLUSTER wapipe\b/);
        expect(statement).not.toMatch(/non_replicated_deduplication_window/);
      }
      const tables = mergeTreeTables(single);
      const replicated = mergeTreeTables(clustered);
      expect(replicated.map((t) => t.table)).toEqual(tables.map((t) => t.table));
      for (const [i, { table, engine }] of tables.entries()) {
        expect(replicated[i]!.engine).toBe(`Replicated${engine}`);
        const created = clustered.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS wapipe.${table} `))!;
        expect(created).toContain(
          `ENGINE = Replicated${engine}('/clickhouse/tables/{shard}/wapipe/${table}', '{replica}'`,
        );
        const original = single.find((s) => s.startsWith(`CREATE TABLE IF NOT EXISTS wapipe.${table} `))!;
        if (original.includes('non_replicated_deduplication_window = 1000'))
          expect(created).toContain('replicated_deduplication_window = 1000');
        expect(clustered).toContain(
          `CREATE TABLE IF NOT EXISTS wapipe.${table}_all ON CLUSTER wapipe AS wapipe.${table} ` +
            `ENGINE = Distributed(wapipe, wapipe, ${table})`,
        );
      }
    }
  });

  it('leave the single-node statements as they were', async () => {
    for (const migrations of await owners()) {
      const single = migrationDdl(migrations, db);
      const files = migrations
        .toSorted((a, b) => a.version - b.version)
        .flatMap((m) => m.sql.replaceAll('{db}', db));
      for (const statement of single) expect(files.some((text) => text.includes(statement))).toBe(true);
      expect(single.join('\n')).not.toMatch(/ON CLUSTER|Replicated\w*MergeTree|Distributed\(|_all\b/);
    }
  });
});

describe('the cluster rewriting', () => {
  it('keeps engine arguments, drops an empty argument list and follows ADD COLUMN onto the Distributed table', () => {
    const ddl = migrationDdl(
      [
        {
          version: 1,
          name: 'shapes',
          sql: `CREATE TABLE IF NOT EXISTS {db}.a (id String, v UInt64) ENGINE = ReplacingMergeTree(v) ORDER BY id;
CREATE TABLE IF NOT EXISTS {db}.b (id String) ENGINE = MergeTree() ORDER BY id
SETTINGS non_replicated_deduplication_window = 100;
CREATE TABLE IF NOT EXISTS {db}.a_feed AS {db}.a ENGINE = Null;
ALTER TABLE {db}.a ADD COLUMN IF NOT EXISTS w String DEFAULT concat('x', ','), MODIFY ORDER BY (id, w);`,
        },
      ],
      db,
      'ch_prod',
    );
    expect(ddl).toEqual([
      "CREATE TABLE IF NOT EXISTS wapipe.a ON CLUSTER ch_prod (id String, v UInt64) ENGINE = ReplicatedReplacingMergeTree('/clickhouse/tables/{shard}/wapipe/a', '{replica}', v) ORDER BY id",
      'CREATE TABLE IF NOT EXISTS wapipe.a_all ON CLUSTER ch_prod AS wapipe.a ENGINE = Distributed(ch_prod, wapipe, a)',
      "CREATE TABLE IF NOT EXISTS wapipe.b ON CLUSTER ch_prod (id String) ENGINE = ReplicatedMergeTree('/clickhouse/tables/{shard}/wapipe/b', '{replica}') ORDER BY id\nSETTINGS replicated_deduplication_window = 100",
      'CREATE TABLE IF NOT EXISTS wapipe.b_all ON CLUSTER ch_prod AS wapipe.b ENGINE = Distributed(ch_prod, wapipe, b)',
      'CREATE TABLE IF NOT EXISTS wapipe.a_feed ON CLUSTER ch_prod AS wapipe.a ENGINE = Null',
      "ALTER TABLE wapipe.a ON CLUSTER ch_prod ADD COLUMN IF NOT EXISTS w String DEFAULT concat('x', ','), MODIFY ORDER BY (id, w)",
      "ALTER TABLE wapipe.a_all ON CLUSTER ch_prod ADD COLUMN IF NOT EXISTS w String DEFAULT concat('x', ',')",
    ]);
  });

  it('refuses what it cannot place on a cluster, naming the setting', () => {
    const one =
      (sql: string, cluster = 'c') =>
      () =>
        migrationDdl([{ version: 1, name: 'x', sql }], db, cluster);
    expect(
      one('CREATE TABLE IF NOT EXISTS {db}.t (a String) ENGINE = MergeTree ORDER BY a', 'bad-name'),
    ).toThrow(/CLICKHOUSE_CLUSTER must be a cluster name/);
    expect(
      one("CREATE TABLE IF NOT EXISTS {db}.t (a String) ENGINE = ReplicatedMergeTree('/p', 'r') ORDER BY a"),
    ).toThrow(/already Replicated/);
    expect(one('INSERT INTO {db}.t SELECT 1')).toThrow(/CLICKHOUSE_CLUSTER is set, but/);
  });

  it('is refused on embedded ClickHouse, which is one node', () => {
    expect(() => createClickHouse({ database: db, dataPath: '/nonexistent', cluster: 'wapipe' })).toThrow(
      /CLICKHOUSE_CLUSTER needs CLICKHOUSE_URL/,
    );
  });
});

describe('the rewritten statements', () => {
  const engine = testClickHouse();
  afterAll(async () => (await engine).cleanup());

  it('all parse as ClickHouse SQL', async () => {
    const { ch } = await engine;
    const statements = (
      await Promise.all(
        Object.entries(services).map(async ([service, load]) => [
          ...migrationDdl(await load(), db, 'wapipe'),
          ...migrationDdl(journalMigrations(service), db, 'wapipe'),
        ]),
      )
    ).flat();
    for (const statement of statements) {
      await expect(ch.command({ query: `EXPLAIN AST ${statement}` }), statement).resolves.toBeUndefined();
    }
  });
});
