// What the local server lets a client run. The embedded engine runs SQL with the rights of the OS user
// and has no users or grants to restrict it (CREATE USER is ACCESS_DENIED in chdb), so the server decides.
// It judges the engine's own rendering of the statement: `formatQuery()` parses the request with the
// engine's parser (refusing a second statement wherever a heredoc or comment hid the `;`) and prints it
// back with one quoting form, no comments and no heredocs, which a lexer then reads reliably.
//
// Allow-lists: statement kinds, table functions, table and database engines. Deny-lists only where
// the engine's own names are open-ended: functions that reach the host (every table function the
// engine knows that is not allowed, plus a few scalar ones) and settings that name host files.
import { exception } from './engine-exception.ts';
import type { EngineException } from './engine-exception.ts';
import { tokens } from './sql-scan.ts';
import type { Token } from './sql-scan.ts';

/** Table functions that compute rows or read local tables only. */
const allowedTableFunctions = new Set([
  'numbers',
  'numbers_mt',
  'zeros',
  'zeros_mt',
  'primes',
  'generaterandom',
  'generateseries',
  'generate_series',
  'values',
  'null',
  'format',
  'view',
  'merge',
  'loop',
]);

/** Scalar functions and setting values that read the host (the engine's table functions are added). */
const hostFunctions = [
  'file',
  'filesystemavailable',
  'filesystemcapacity',
  'filesystemunreserved',
  'catboostevaluate',
  'disk',
];

const mergeTreeEngine =
  /^(Replacing|Summing|Aggregating|Collapsing|VersionedCollapsing|Coalescing)?MergeTree$/;
const allowedEngines = new Set([
  'Memory',
  'Null',
  'Log',
  'TinyLog',
  'StripeLog',
  'Set',
  'Join',
  'Buffer',
  'Merge',
  'GenerateRandom',
  'Atomic',
  'Ordinary',
]);

/**
 * Settings a request may not set: they name host files, change how the statement is parsed (so the
 * engine would run something other than what was checked) or open introspection of the process.
 */
const deniedSetting =
  /^(dialect|allow_settings_after_format_in_insert|allow_introspection_functions|format_schema\w*|output_format_schema|format_template_(row|resultset)|dynamic_disk_\w+|default_table_engine|default_temporary_table_engine)$/;

export function deniedSettingReason(name: string): string | undefined {
  return deniedSetting.test(name)
    ? `setting ${name} is not allowed here: it names host files or changes how statements are parsed`
    : undefined;
}

export interface StatementPolicy {
  /** Throws ACCESS_DENIED (or READONLY) unless the engine-formatted statement may run. */
  check(canonical: string, options: { readonly: boolean; hasInsertData: boolean }): void;
}

/** `engineTableFunctions`: `SELECT name FROM system.table_functions` of the engine being served. */
export function statementPolicy(engineTableFunctions: readonly string[]): StatementPolicy {
  const deniedFunctions = new Set(hostFunctions);
  for (const name of engineTableFunctions) {
    if (!allowedTableFunctions.has(name.toLowerCase())) deniedFunctions.add(name.toLowerCase());
  }
  return {
    check(canonical, options) {
      const list = [...tokens(canonical)];
      const words = list.map((t) => (t.kind === 'word' ? t.text.toUpperCase() : t.text));
      const kind = statementKind(words);
      if (kind.denied !== undefined) throw denied(kind.denied);
      if (options.readonly && !kind.read) {
        throw exception(
          'READONLY',
          'Cannot execute query in readonly mode. For queries over HTTP, method GET implies readonly. ' +
            'You should use method POST for modifying queries',
        );
      }
      if (options.hasInsertData && words[0] !== 'INSERT') {
        throw denied('insert data after a statement that is not an INSERT');
      }
      for (let i = 0; i < list.length; i++) {
        const problem = tokenProblem(list, words, i, deniedFunctions);
        if (problem !== undefined) throw denied(problem);
      }
    },
  };
}

function tokenProblem(
  list: readonly Token[],
  words: readonly string[],
  i: number,
  deniedFunctions: ReadonlySet<string>,
): string | undefined {
  const token = list[i] as Token;
  const word = words[i] as string;
  const next = words[i + 1];
  if (token.kind === 'word' || token.kind === 'quotedIdentifier') {
    const name = (token.kind === 'word' ? token.text : token.text.slice(1, -1)).toLowerCase();
    if (next === '(' && list[i + 1]?.start === token.end && deniedFunctions.has(name)) {
      return `${name}() reaches the host or the network; use a real ClickHouse server (CLICKHOUSE_URL) for that`;
    }
    const setting = deniedSettingReason(token.text);
    if (setting !== undefined) return setting;
  }
  if (token.kind !== 'word') return undefined;
  if ((word === 'INTO' && next === 'OUTFILE') || (word === 'FROM' && next === 'INFILE')) {
    return `${word} ${next} writes or reads a host file; read the result from the response instead`;
  }
  if (word === 'ENGINE' && words[i + 2] !== undefined && next === '=') {
    // The engine's own rendering quotes names that are keywords (ENGINE = `Null`).
    const engine = (list[i + 2]?.text ?? '').replace(/^`(.*)`$/, '$1');
    if (!mergeTreeEngine.test(engine) && !allowedEngines.has(engine)) {
      return `ENGINE = ${engine.slice(0, 60)} is not allowed here (it can reach the host or the network); use MergeTree, Memory or another local engine`;
    }
  }
  if (word === 'FORMAT' && next?.toUpperCase() === 'VALUES' && words[0] === 'INSERT') {
    return 'INSERT … VALUES: inline Values data is SQL the server cannot check; send the rows as FORMAT JSONEachRow';
  }
  return undefined;
}

interface StatementKind {
  read: boolean;
  denied?: string;
}

const readStatements = new Set(['SELECT', 'WITH', 'SHOW', 'DESCRIBE', 'EXISTS']);
const writeStatements = new Set([
  'TRUNCATE',
  'RENAME',
  'EXCHANGE',
  'OPTIMIZE',
  'DELETE',
  'UPDATE',
  'UNDROP',
  'CHECK',
]);
const creatable = new Set(['TABLE', 'DATABASE', 'VIEW', 'MATERIALIZED', 'INDEX']);
const droppable = new Set(['TABLE', 'DATABASE', 'VIEW', 'INDEX']);

const whyNot: Record<string, string> = {
  SET: 'SET would outlive the request on a shared engine connection; pass settings as URL parameters or in a SETTINGS clause',
  USE: 'USE would outlive the request on a shared engine connection; pass the `database` parameter or qualify table names',
  SYSTEM: 'SYSTEM statements act on the whole server',
  KILL: 'KILL acts on other clients’ queries',
  ATTACH: 'ATTACH can read tables from host paths',
  DETACH: 'DETACH can only be undone by ATTACH, which is not allowed',
  BACKUP: 'BACKUP writes to host paths',
  RESTORE: 'RESTORE reads from host paths',
  BEGIN: 'transactions would outlive the request on a shared engine connection',
  COMMIT: 'transactions would outlive the request on a shared engine connection',
  ROLLBACK: 'transactions would outlive the request on a shared engine connection',
};

function statementKind(words: readonly string[]): StatementKind {
  const [first = '', second = '', third = '', fourth = ''] = words;
  if (readStatements.has(first)) return { read: true };
  if (first === 'EXPLAIN') {
    return words.includes('INSERT')
      ? { read: false, denied: 'EXPLAIN of an INSERT (its inline data could hold further statements)' }
      : { read: true };
  }
  if (first === 'INSERT') {
    return second === 'INTO' && third !== 'FUNCTION'
      ? { read: false }
      : { read: false, denied: 'INSERT INTO FUNCTION writes through a table function; insert into a table' };
  }
  if (writeStatements.has(first)) return { read: false };
  if (first === 'CREATE') {
    const orReplace = second === 'OR' && third === 'REPLACE';
    const what = orReplace ? fourth : second;
    if (creatable.has(what)) return { read: false };
    const reason =
      what === 'TEMPORARY'
        ? 'a temporary table would outlive the request on a shared engine connection'
        : 'only tables, databases, views and indexes can be created here';
    return { read: false, denied: `CREATE ${what}: ${reason}` };
  }
  if (first === 'ALTER' && second === 'TABLE') return { read: false };
  if (first === 'DROP' && droppable.has(second)) return { read: false };
  const reason = whyNot[first] ?? 'only reads, inserts and table DDL are allowed here';
  return { read: false, denied: `${[first, second].join(' ').trim().slice(0, 60)}: ${reason}` };
}

/**
 * The engine ends inline insert data at the first empty line, and after a `;` right behind the format
 * name, and runs what follows as SQL (measured on chdb 3.4: `…FORMAT JSONEachRow\n{…}\n\nDROP TABLE t`
 * dropped t). Such data is refused; legitimate text formats never hold an empty line (JSON and TSV
 * escape line breaks), and the engine would have split CSV data there anyway.
 */
export function refuseSqlInInsertData(data: string): void {
  if (data.trimStart().startsWith(';')) {
    throw exception(
      'SYNTAX_ERROR',
      'Syntax error: Multi-statements are not allowed (a ";" follows the insert format)',
    );
  }
  const emptyLine = /\n\r?\n/g;
  for (let match = emptyLine.exec(data); match !== null; match = emptyLine.exec(data)) {
    if (data.slice(match.index).trim() !== '') {
      throw exception(
        'SYNTAX_ERROR',
        'Syntax error: insert data holds an empty line followed by more text; the engine would run that ' +
          'text as SQL. Remove empty lines from the data',
      );
    }
  }
}

const denied = (what: string): EngineException =>
  exception('ACCESS_DENIED', `Not allowed by the local ClickHouse server (tools/local-clickhouse): ${what}`);
