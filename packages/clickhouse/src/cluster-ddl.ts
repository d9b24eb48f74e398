// Migrations are written for one node. With CLICKHOUSE_CLUSTER set, migrate() runs each statement through
// this rewriter instead, so no service keeps a second copy of its schema:
// - every CREATE / ALTER / DROP runs `ON CLUSTER`, on every replica at once;
// - a *MergeTree table becomes Replicated*MergeTree under its own name, with the Keeper path
//   /clickhouse/tables/{shard}/<db>/<table> and the server's {replica} macro. Writers (the journal, its
//   feeds and views) keep writing the table they always wrote; a replica that takes an insert replicates
//   it, and its token joins the block ids kept in Keeper (replicated_deduplication_window), which commits
//   the part and its block id together, unlike the non-replicated dedup log (EMBEDDED-CLICKHOUSE.md);
// - beside it, `<table>_all` is a Distributed table over the cluster for reads that span replicas and
//   shards (analysts, the API behind a load balancer); it follows the table's ADD COLUMNs.
// The topology this serves is one shard with several replicas (docker-compose's `cluster` profile): each
// writer inserts into the replica it is connected to. Several shards would need the writers to route by
// session through the Distributed tables, which this does not do.
import { ClickHouseError } from './errors.ts';

const identifier = /^[A-Za-z_][A-Za-z0-9_]*$/;

export interface ClusterDdlRewriter {
  /** The statements to run on the cluster for one single-node statement (`{db}` already substituted). */
  rewrite(statement: string): string[];
}

/** A rewriter for one run of migrations of one database; it remembers which tables it made replicated. */
export function clusterDdlRewriter(cluster: string, database: string): ClusterDdlRewriter {
  if (!identifier.test(cluster)) {
    throw new ClickHouseError(
      'CLICKHOUSE_BAD_INPUT',
      `CLICKHOUSE_CLUSTER must be a cluster name from the servers' remote_servers (letters, digits, _), not "${cluster}"`,
    );
  }
  const onCluster = `ON CLUSTER ${cluster}`;
  const replicated = new Set<string>();
  const name = (qualified: string) => qualified.slice(database.length + 1);

  const createTable = (statement: string, table: string, rest: string): string[] => {
    const engine = /\bENGINE\s*=\s*([A-Za-z]*)MergeTree\b(\s*\()?/.exec(rest);
    const head = `CREATE TABLE IF NOT EXISTS ${table} ${onCluster}`;
    if (engine === null) return [`${head}${rest}`]; // Null feeds, Distributed, Memory: no data to replicate
    if (engine[1]!.startsWith('Replicated')) {
      throw unsupported(statement, 'it is already Replicated; write migrations for one node');
    }
    const args = `'/clickhouse/tables/{shard}/${database}/${name(table)}', '{replica}'`;
    const after = rest.slice(engine.index + engine[0].length);
    const emptyArgs = engine[2] ? /^\s*\)/.exec(after) : null;
    const engineSql = `ENGINE = Replicated${engine[1]}MergeTree(${args}`;
    const body =
      rest.slice(0, engine.index) +
      (engine[2] === undefined
        ? `${engineSql})${after}`
        : emptyArgs
          ? `${engineSql})${after.slice(emptyArgs[0].length)}`
          : `${engineSql}, ${after.trimStart()}`);
    replicated.add(table);
    return [
      `${head}${replicatedSettings(body)}`,
      `CREATE TABLE IF NOT EXISTS ${table}_all ${onCluster} AS ${table} ` +
        `ENGINE = Distributed(${cluster}, ${database}, ${name(table)})`,
    ];
  };

  const alterTable = (table: string, clauses: string): string[] => {
    const statements = [`ALTER TABLE ${table} ${onCluster}${replicatedSettings(clauses)}`];
    if (replicated.has(table)) {
      const added = topLevelClauses(clauses).filter((clause) => /^ADD\s+COLUMN\b/i.test(clause));
      if (added.length > 0) statements.push(`ALTER TABLE ${table}_all ${onCluster} ${added.join(', ')}`);
    }
    return statements;
  };

  return {
    rewrite(statement) {
      const text = statement.trim();
      const qualified = `(${escapeRegExp(database)}\\.[A-Za-z_][A-Za-z0-9_]*)`;
      const match = (pattern: string) => new RegExp(`^${pattern}`, 'is').exec(text);
      let m: RegExpExecArray | null;
      if ((m = match(`CREATE\\s+DATABASE\\s+IF\\s+NOT\\s+EXISTS\\s+(${escapeRegExp(database)})\\b`))) {
        return [`CREATE DATABASE IF NOT EXISTS ${m[1]} ${onCluster}${text.slice(m[0].length)}`];
      }
      if ((m = match(`CREATE\\s+TABLE\\s+IF\\s+NOT\\s+EXISTS\\s+${qualified}\\b`))) {
        return createTable(text, m[1]!, text.slice(m[0].length));
      }
      if ((m = match(`CREATE\\s+(MATERIALIZED\\s+)?VIEW\\s+IF\\s+NOT\\s+EXISTS\\s+${qualified}\\b`))) {
        return [
          `CREATE ${m[1] ? 'MATERIALIZED ' : ''}VIEW IF NOT EXISTS ${m[2]} ${onCluster}${text.slice(m[0].length)}`,
        ];
      }
      if ((m = match(`ALTER\\s+TABLE\\s+${qualified}\\b`))) return alterTable(m[1]!, text.slice(m[0].length));
      if ((m = match(`DROP\\s+(VIEW|TABLE)\\s+IF\\s+EXISTS\\s+${qualified}\\b`))) {
        return [`DROP ${m[1]!.toUpperCase()} IF EXISTS ${m[2]} ${onCluster}${text.slice(m[0].length)}`];
      }
      throw unsupported(text, `it is not a CREATE, ALTER or DROP of a ${database} object`);
    },
  };
}

/** The single-node dedup window setting, renamed to the one replicated tables read. */
function replicatedSettings(sql: string): string {
  return sql.replace(/\bnon_replicated_deduplication_window\b/g, 'replicated_deduplication_window');
}

/** Splits `a, b(c, d), 'e,f'` at the commas outside brackets and quotes. */
function topLevelClauses(sql: string): string[] {
  const clauses: string[] = [];
  let depth = 0;
  let quote: string | undefined;
  let start = 0;
  for (let i = 0; i < sql.length; i++) {
    const ch = sql[i]!;
    if (quote !== undefined) {
      if (ch === '\\') i++;
      else if (ch === quote) quote = undefined;
    } else if (ch === "'" || ch === '"' || ch === '`') quote = ch;
    else if (ch === '(') depth++;
    else if (ch === ')') depth--;
    else if (ch === ',' && depth === 0) {
      clauses.push(sql.slice(start, i).trim());
      start = i + 1;
    }
  }
  clauses.push(sql.slice(start).trim());
  return clauses.filter((clause) => clause.length > 0);
}

const escapeRegExp = (text: string) => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

function unsupported(statement: string, why: string): ClickHouseError {
  return new ClickHouseError(
    'CLICKHOUSE_BAD_INPUT',
    `CLICKHOUSE_CLUSTER is set, but this migration statement cannot be run on a cluster: ${why}: ${statement.slice(0, 80)}`,
  );
}
