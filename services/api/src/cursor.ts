// Keyset cursors: the last row's (time, id) of a page, as base64url JSON. Opaque to clients, and read back
// strictly: anything that is not exactly what we issued is a 400 naming `cursor`.
import { HttpError } from '@wapipe/http';

export interface Keyset {
  /** The sort time of the last row returned. */
  at: Date;
  /** The tie-breaking id of the last row returned. */
  id: string;
}

const VERSION = 1;
const MAX_ID = 256;

export function encodeCursor(keyset: Keyset): string {
  return Buffer.from(JSON.stringify([VERSION, keyset.at.toISOString(), keyset.id]), 'utf8').toString(
    'base64url',
  );
}

export function decodeCursor(cursor: string): Keyset {
  const bad = () => new HttpError(400, 'bad_parameter', 'cursor: not a cursor from a previous page');
  if (!/^[A-Za-z0-9_-]{1,1024}$/.test(cursor)) throw bad();
  let value: unknown;
  try {
    value = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    throw bad();
  }
  if (!Array.isArray(value) || value.length !== 3) throw bad();
  const [version, at, id] = value as unknown[];
  if (version !== VERSION || typeof at !== 'string' || typeof id !== 'string') throw bad();
  if (id.length === 0 || id.length > MAX_ID) throw bad();
  const date = new Date(at);
  // Only the exact text we issue: toISOString() round-trips, anything else was edited.
  if (Number.isNaN(date.getTime()) || date.toISOString() !== at) throw bad();
  return { at: date, id };
}
