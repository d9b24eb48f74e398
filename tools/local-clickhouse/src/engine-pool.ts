// A few chdb connections on one data directory (they run in parallel; each runs one query at a time),
// and a FIFO queue in front of them.
//
// A chdb connection is a session: SET, USE and `SET param_x` outlive the statement. A server applies
// URL settings, database and query parameters to one request only, so each connection remembers what
// it was given and, before the next request, changes just the difference: settings not asked for go
// back to DEFAULT, the database back to `default`. Query parameters cannot be unset, so a connection
// holding a parameter that the next statement uses without supplying is replaced by a fresh one.
// Parameters travel as `SET param_x = '<text>'`: the engine then parses the client's text exactly as a
// server would, whatever the placeholder's type, and parameterised queries on different connections
// still run in parallel.
//
// Before a statement runs, the engine's own parser renders it (`formatQuery`, on the same connection and
// settings, the SQL passed as a string literal so nothing in it can run) and the caller's `check` judges
// that rendering. Statements that would change the session (SET, USE, temporary tables) never pass it,
// so after each request a connection holds only what the next request's preparation resets.
import { createChdbConnection } from 'chdb/connection';
import type { ChdbConnection } from 'chdb/connection';
import { EngineException, engineExceptionFrom, exception } from './engine-exception.ts';

export interface EngineCall {
  /** The statement, insert data included. */
  sql: string;
  /** chdb's output format for SQL without FORMAT. */
  format: string;
  database: string;
  settings: ReadonlyMap<string, string>;
  params: ReadonlyMap<string, string>;
  /** Parameter names the statement uses (see scanStatement). */
  placeholders: ReadonlySet<string>;
  /** The statement without insert data: what the engine renders for `check`. */
  statement: string;
  /** Throws unless the engine's rendering of `statement` may run. */
  check(canonical: string): void;
}

export interface EngineResult {
  body: Buffer;
  rowsRead: number;
  bytesRead: number;
  elapsedNs: number;
}

export interface EnginePool {
  run(call: EngineCall): Promise<EngineResult>;
  /** Engine version, e.g. `26.7.2.1`, its timezone and its table functions, read once at start. */
  readonly version: string;
  readonly timezone: string;
  readonly tableFunctions: readonly string[];
  /** Requests waiting for a connection. */
  queued(): number;
  /** Fails queued calls with ABORTED, waits for running ones, closes every connection. */
  close(): Promise<void>;
}

export interface EnginePoolOptions {
  path: string;
  size: number;
  maxQueued: number;
}

interface Lane {
  connection: ChdbConnection;
  database: string;
  settings: Map<string, string>;
  params: Map<string, string>;
}

const freshLane = (path: string): Lane => ({
  connection: createChdbConnection({ path }),
  database: 'default',
  settings: new Map(),
  params: new Map(),
});

/** Opens `size` connections (the first one fails fast if another process holds the directory). */
export async function openEnginePool(options: EnginePoolOptions): Promise<EnginePool> {
  const lanes: Lane[] = [];
  try {
    for (let i = 0; i < options.size; i++) lanes.push(freshLane(options.path));
  } catch (error) {
    await Promise.all(lanes.map((lane) => lane.connection.close()));
    throw error;
  }
  const first = lanes[0] as Lane;
  let info: string[];
  let tableFunctions: string[];
  try {
    const result = await first.connection.chdb.queryAsync('SELECT version(), timezone()', { format: 'TSV' });
    info = result.text().trim().split('\t');
    const names = await first.connection.chdb.queryAsync('SELECT name FROM system.table_functions', {
      format: 'TSVRaw',
    });
    tableFunctions = names.text().trim().split('\n');
  } catch (error) {
    await Promise.all(lanes.map((lane) => lane.connection.close().catch(() => undefined)));
    throw error;
  }

  const idle = [...lanes];
  const waiting: Array<{ resolve: (lane: Lane) => void; reject: (error: Error) => void }> = [];
  let busy = 0;
  let closing = false;
  let drained: (() => void) | undefined;

  const acquire = (): Promise<Lane> => {
    if (closing) return Promise.reject(exception('ABORTED', 'The server is shutting down'));
    const lane = idle.pop();
    if (lane) {
      busy++;
      return Promise.resolve(lane);
    }
    if (waiting.length >= options.maxQueued) {
      return Promise.reject(
        exception(
          'TOO_MANY_SIMULTANEOUS_QUERIES',
          `Too many simultaneous queries: ${waiting.length} are waiting for one of ${options.size} engine connections`,
        ),
      );
    }
    return new Promise((resolve, reject) => {
      waiting.push({
        resolve: (l) => {
          busy++;
          resolve(l);
        },
        reject,
      });
    });
  };

  const release = (lane: Lane) => {
    busy--;
    const next = waiting.shift();
    if (next) next.resolve(lane);
    else idle.push(lane);
    if (busy === 0 && drained) drained();
  };

  /** Swaps in a fresh connection (cheap: the engine is already open in this process). */
  const renew = async (lane: Lane): Promise<void> => {
    const old = lane.connection;
    Object.assign(lane, freshLane(options.path));
    await old.close().catch(() => undefined);
  };

  /** Renderings of statements that passed, so a repeated statement costs no second engine call. */
  const rendered = new Map<string, string>();

  const run = async (call: EngineCall): Promise<EngineResult> => {
    const lane = await acquire();
    try {
      await prepare(lane, call, renew);
      const canonical = rendered.get(call.statement) ?? (await renderStatement(lane, call.statement));
      call.check(canonical);
      if (!rendered.has(call.statement)) {
        if (rendered.size >= maxRendered) rendered.delete(rendered.keys().next().value as string);
        rendered.set(call.statement, canonical);
      }
      try {
        const result = await lane.connection.chdb.queryAsync(call.sql, { format: chdbFormat(call.format) });
        return {
          body: Buffer.from(result.bytes()),
          rowsRead: result.rowsRead,
          bytesRead: result.bytesRead,
          elapsedNs: Math.round(result.elapsed * 1e9),
        };
      } catch (error) {
        throw engineExceptionFrom(error);
      }
    } finally {
      release(lane);
    }
  };

  return {
    run,
    version: info[0] ?? 'unknown',
    timezone: info[1] ?? 'UTC',
    tableFunctions,
    queued: () => waiting.length,
    async close() {
      if (closing) return;
      closing = true;
      for (const waiter of waiting.splice(0))
        waiter.reject(exception('ABORTED', 'The server is shutting down'));
      if (busy > 0) await new Promise<void>((resolve) => (drained = resolve));
      await Promise.all(lanes.map((lane) => lane.connection.close().catch(() => undefined)));
    },
  };
}

const maxRendered = 1000;

/**
 * The engine's own rendering of `statement`: parsed by its parser (a second statement is a syntax
 * error wherever a heredoc or comment hid the `;`), printed without comments or heredocs.
 */
async function renderStatement(lane: Lane, statement: string): Promise<string> {
  let text: string;
  try {
    const result = await lane.connection.chdb.queryAsync(
      `SELECT formatQuery(${quoteString(statement)}) SETTINGS limit = 0, offset = 0`,
      { format: 'TSVRaw' },
    );
    text = result.text();
  } catch (error) {
    // The engine names the wrapper in its message; the client should see its own statement's error.
    const failure = engineExceptionFrom(error);
    const own = failure.text.replace(/: In scope SELECT formatQuery\([\s\S]*\)\. \(([A-Z_]+)\)$/, '. ($1)');
    throw new EngineException(failure.code, failure.type, own);
  }
  if (!text.endsWith('\n') || text.trim() === '') {
    throw exception('STD_EXCEPTION', 'The engine did not render the statement, so it cannot be checked');
  }
  return text.slice(0, -1);
}

/** Brings a connection's session to what `call` asks for, changing only what differs. */
async function prepare(lane: Lane, call: EngineCall, renew: (lane: Lane) => Promise<void>): Promise<void> {
  for (const name of call.placeholders) {
    if (!call.params.has(name) && lane.params.has(name)) {
      await renew(lane); // let the engine report the missing parameter, not use a stale value
      break;
    }
  }

  if (call.database !== lane.database) {
    await sessionStatement(lane, `USE ${quoteIdentifier(call.database)}`, renew);
    lane.database = call.database;
  }

  const assignments: string[] = [];
  for (const [name, value] of call.settings) {
    if (lane.settings.get(name) !== value) assignments.push(`${name} = ${quoteString(value)}`);
  }
  for (const name of lane.settings.keys()) {
    if (!call.settings.has(name)) assignments.push(`${name} = DEFAULT`);
  }
  for (const [name, value] of call.params) {
    if (!/^[A-Za-z_][A-Za-z0-9_]*$/.test(name)) {
      throw exception('BAD_ARGUMENTS', `Invalid query parameter name '${name.slice(0, 80)}'`);
    }
    if (lane.params.get(name) !== value) assignments.push(`param_${name} = ${quoteString(value)}`);
  }
  if (assignments.length === 0) return;
  await sessionStatement(lane, `SET ${assignments.join(', ')}`, renew);
  lane.settings = new Map(call.settings);
  for (const [name, value] of call.params) lane.params.set(name, value);
}

/** Runs a session statement; on failure the session's state is unknown, so the connection is renewed. */
async function sessionStatement(
  lane: Lane,
  sql: string,
  renew: (lane: Lane) => Promise<void>,
): Promise<void> {
  try {
    await lane.connection.chdb.queryAsync(sql, { format: 'TSV' });
  } catch (error) {
    await renew(lane);
    throw error instanceof EngineException ? error : engineExceptionFrom(error);
  }
}

/** A SQL string literal holding `text` exactly. */
export const quoteString = (text: string): string => `'${text.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

export const quoteIdentifier = (name: string): string =>
  `\`${name.replace(/\\/g, '\\\\').replace(/`/g, '\\`')}\``;

/** chdb reads a lower-case `arrow` as its own Arrow-table mode; the server's format is `Arrow`. */
const chdbFormat = (format: string): string => (format === 'arrow' ? 'Arrow' : format);
