// Forward-only migrations, recorded per owner (one owner per service) in `<db>.schema_migrations`.
//
// Concurrency rule: there is no lock. Two processes starting together may both apply a missing
// version, so every statement must be idempotent (IF [NOT] EXISTS; checked below), and the record
// table is a ReplacingMergeTree keyed by (owner, version), so a double record collapses into one.
// An applied migration is never edited: a changed checksum stops `migrate` before it runs anything.
import { createHash } from 'node:crypto';
import { z } from 'zod';
import type { Logger } from '@wapipe/observability';
import { silentLogger } from '@wapipe/observability';
import { clusterDdlRewriter } from './cluster-ddl.ts';
import { ClickHouseError } from './errors.ts';
import type { Migration } from './load-migrations.ts';
import { nonIdempotentReason } from './migration-rules.ts';
import { splitStatements } from './sql-split.ts';
import type { ClickHouse } from './types.ts';

export interface MigrateOptions {
  /** Who owns these migrations, e.g. the service name. Letters, digits, `_` and `-`. */
  owner: string;
  migrations: readonly Migration[];
  logger?: Logger;
  /**
   * A ClickHouse cluster (CLICKHOUSE_CLUSTER): every statement runs ON CLUSTER, tables become Replicated*
   * with a Distributed `<table>_all` beside them (see cluster-ddl.ts). Default: the connection's cluster.
   */
  cluster?: string | undefined;
}

export interface MigrateResult {
  /** Versions run by this call, in order. */
  applied: number[];
  /** Versions that were already recorded (checksums verified). */
  skipped: number[];
}

const migrationsTable = 'schema_migrations';

/** Hex sha256 of the file text with line endings normalised, so a checkout on Windows does not differ. */
export function migrationChecksum(sql: string): string {
  return createHash('sha256').update(sql.replace(/\r\n?/g, '\n').trimEnd()).digest('hex');
}

/** Statements of a migration with `{db}` replaced by the (validated) database name. */
export function migrationStatements(migration: Migration, database: string): string[] {
  return splitStatements(migration.sql).map((statement) => statement.replaceAll('{db}', database));
}

export async function migrate(ch: ClickHouse, options: MigrateOptions): Promise<MigrateResult> {
  const owner = validOwner(options.owner);
  const logger = (options.logger ?? silentLogger).child({ component: 'clickhouse-migrate', owner });
  const migrations = validMigrations(options.migrations, ch.database);
  const cluster = options.cluster ?? ch.cluster;
  const rewriter = cluster === undefined ? undefined : clusterDdlRewriter(cluster, ch.database);
  const run = async (statement: string) => {
    for (const query of rewriter?.rewrite(statement) ?? [statement]) await ch.command({ query });
  };

  await run(`CREATE DATABASE IF NOT EXISTS ${ch.database}`);
  await run(migrationsTableDdl(ch.table(migrationsTable)));

  const recorded = new Map(
    (
      await ch.query({
        query: `SELECT version, name, checksum FROM ${ch.table(migrationsTable)} FINAL
                WHERE owner = {owner:String} ORDER BY version`,
        params: { owner },
        schema: z.object({ version: z.coerce.number(), name: z.string(), checksum: z.string() }),
      })
    ).map((row) => [row.version, row]),
  );

  // Verify everything before running anything: a half-applied upgrade on a changed history helps no one.
  for (const migration of migrations) {
    const previous = recorded.get(migration.version);
    if (previous && previous.checksum !== migration.checksum) {
      throw new ClickHouseError(
        'CLICKHOUSE_MIGRATION_CONFLICT',
        `Migration ${fileName(migration)} of owner "${owner}" was changed after it was applied ` +
          `(checksum ${previous.checksum.slice(0, 12)}… recorded, ${migration.checksum.slice(0, 12)}… now). ` +
          'Restore it and add a new migration instead.',
      );
    }
  }

  const result: MigrateResult = { applied: [], skipped: [] };
  for (const migration of migrations) {
    if (recorded.has(migration.version)) {
      result.skipped.push(migration.version);
      continue;
    }
    for (const statement of migration.statements) await run(statement);
    await ch.insert({
      table: migrationsTable,
      rows: [
        {
          owner,
          version: migration.version,
          name: migration.name,
          checksum: migration.checksum,
          applied_at: new Date(),
        },
      ],
    });
    result.applied.push(migration.version);
    logger.info('migration applied', { version: migration.version, name: migration.name });
  }
  return result;
}

const migrationsTableDdl = (table: string) => `CREATE TABLE IF NOT EXISTS ${table} (
      owner LowCardinality(String),
      version UInt32,
      name String,
      checksum String,
      applied_at DateTime64(3, 'UTC')
    ) ENGINE = ReplacingMergeTree(applied_at) ORDER BY (owner, version)`;

/**
 * What migrate() would run for these migrations, in order, after the migrations table: `{db}` substituted
 * and, with a cluster, rewritten for it. For reviewing a deployment's DDL (and testing it) without a server.
 */
export function migrationDdl(migrations: readonly Migration[], database: string, cluster?: string): string[] {
  const rewriter = cluster === undefined ? undefined : clusterDdlRewriter(cluster, database);
  return validMigrations(migrations, database).flatMap((migration) =>
    migration.statements.flatMap((statement) => rewriter?.rewrite(statement) ?? [statement]),
  );
}

interface PreparedMigration extends Migration {
  checksum: string;
  statements: string[];
}

function validMigrations(migrations: readonly Migration[], database: string): PreparedMigration[] {
  const seen = new Set<number>();
  const prepared = [...migrations]
    .sort((a, b) => a.version - b.version)
    .map((migration) => {
      if (!Number.isInteger(migration.version) || migration.version <= 0 || migration.version > 0xffffffff) {
        throw badMigration(migration, 'version must be a positive integer');
      }
      if (seen.has(migration.version)) throw badMigration(migration, 'version is used twice');
      seen.add(migration.version);
      let statements: string[];
      try {
        statements = migrationStatements(migration, database);
      } catch (error) {
        throw badMigration(migration, error instanceof Error ? error.message : String(error));
      }
      if (statements.length === 0) throw badMigration(migration, 'it has no statements');
      for (const statement of statements) {
        const problem = nonIdempotentReason(statement);
        if (problem) {
          throw badMigration(
            migration,
            `${problem} (concurrent starts must be able to run it twice): ${statement.slice(0, 80)}`,
          );
        }
      }
      return { ...migration, checksum: migrationChecksum(migration.sql), statements };
    });
  return prepared;
}

function validOwner(owner: string): string {
  if (!/^[A-Za-z0-9_-]{1,100}$/.test(owner)) {
    throw new ClickHouseError('CLICKHOUSE_BAD_INPUT', 'Migration owner must be 1-100 of A-Z a-z 0-9 _ -');
  }
  return owner;
}

const fileName = (m: Migration) => `${String(m.version).padStart(4, '0')}_${m.name}`;

const badMigration = (migration: Migration, problem: string) =>
  new ClickHouseError('CLICKHOUSE_BAD_INPUT', `Migration ${fileName(migration)} is not usable: ${problem}`);
