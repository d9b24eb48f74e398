// Identifiers and dedup tokens end up in SQL text (they cannot be bound as values everywhere), so they are
// checked against narrow patterns first; anything else is refused before a byte is sent.
import { ClickHouseError } from './errors.ts';

const identifierPattern = /^[A-Za-z_][A-Za-z0-9_]*$/;
const dedupTokenPattern = /^[A-Za-z0-9:_.-]{1,200}$/;

/** Returns `name` when it is a plain identifier (letters, digits, `_`; not starting with a digit). */
export function assertIdentifier(name: string, what = 'identifier'): string {
  if (typeof name !== 'string' || name.length > 200 || !identifierPattern.test(name)) {
    throw new ClickHouseError(
      'CLICKHOUSE_BAD_INPUT',
      `Invalid ClickHouse ${what} ${JSON.stringify(String(name).slice(0, 60))}: use letters, digits and "_" only`,
    );
  }
  return name;
}

/** `db.table`, both parts validated. The embedded engine ignores the client's database, so we always qualify. */
export function qualifiedTable(database: string, table: string): string {
  return `${assertIdentifier(database, 'database')}.${assertIdentifier(table, 'table name')}`;
}

/** Returns `token` when it is safe to embed in `SETTINGS insert_deduplication_token='…'`. */
export function assertDedupToken(token: string): string {
  if (typeof token !== 'string' || !dedupTokenPattern.test(token)) {
    throw new ClickHouseError(
      'CLICKHOUSE_BAD_INPUT',
      'Invalid dedupToken: 1-200 characters from A-Z a-z 0-9 : _ . - only',
    );
  }
  return token;
}
