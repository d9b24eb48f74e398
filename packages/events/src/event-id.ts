// Content-derived event ids (docs/adr/0004-event-identity.md). Meta gives no event id, and a retried or
// re-batched report must map to the same row, so an id is a hash of what makes the event itself.
import { hash } from 'node:crypto';
import type { DeliveryStatusValue, Provider } from './types.ts';

/** Bumped only if the identity scheme changes; every id would change with it. */
const SCHEME = 'wapipe-event-id-v1';

const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;

// Each part is length-prefixed, so no choice of part contents can make two different part lists encode
// to the same string. Strings with lone surrogates (valid in JSON, lossy in UTF-8) are hex-encoded.
function encodePart(part: string | null): string {
  if (part === null) return '~';
  if (LONE_SURROGATE.test(part)) {
    let hex = '';
    for (let i = 0; i < part.length; i++) hex += part.charCodeAt(i).toString(16).padStart(4, '0');
    return `u${hex.length}:${hex}`;
  }
  return `s${part.length}:${part}`;
}

/** sha256 over the unambiguous encoding of `parts`, first 32 hex chars (128 bits). */
export function eventIdFromParts(parts: readonly (string | null)[]): string {
  let encoded = encodePart(SCHEME);
  for (const part of parts) encoded += encodePart(part);
  // One-shot hash() (UTF-8 input) is ~3x faster than createHash() for inputs this small.
  return hash('sha256', encoded, 'hex').slice(0, 32);
}

export interface StatusIdentity {
  provider: Provider;
  sessionId: string;
  providerMessageId: string;
  status: DeliveryStatusValue;
  groupParticipant: string | null;
}

export function statusEventId(s: StatusIdentity): string {
  return eventIdFromParts([
    'status',
    s.provider,
    s.sessionId,
    s.providerMessageId,
    s.status,
    s.groupParticipant,
  ]);
}

export function inboundEventId(s: {
  provider: Provider;
  sessionId: string;
  providerMessageId: string;
}): string {
  return eventIdFromParts(['inbound', s.provider, s.sessionId, s.providerMessageId]);
}

/**
 * A failure about a message is one per (message, code). A failure with no message (Meta's envelope errors,
 * session failures) is identified by the canonical content it came from.
 */
export function failureEventId(
  s: { provider: Provider; sessionId: string; code: string } & (
    { providerMessageId: string } | { providerMessageId: null; content: unknown }
  ),
): string {
  if (s.providerMessageId !== null) {
    return eventIdFromParts(['failure', s.provider, s.sessionId, s.providerMessageId, s.code]);
  }
  return eventIdFromParts(['failure-content', s.provider, s.sessionId, s.code, canonicalJson(s.content)]);
}

/** Session states, envelope errors and unknown items: identical content is the same event. */
export function contentEventId(
  kind: 'session' | 'envelope-error' | 'unknown',
  s: { provider: Provider; sessionId: string; content: unknown },
): string {
  return eventIdFromParts([kind, s.provider, s.sessionId, canonicalJson(s.content)]);
}

export function registrationEventId(s: {
  sessionId: string;
  providerMessageId: string;
  messageId: string;
}): string {
  return eventIdFromParts(['registration', 'registry', s.sessionId, s.providerMessageId, s.messageId]);
}

const MAX_DEPTH = 512;

/**
 * JSON with object keys sorted at every level, so the same content hashes the same whatever key order the
 * provider used. Throws on values nested deeper than 512 levels (only a hostile body does that).
 */
export function canonicalJson(value: unknown): string {
  return canonical(value, 0);
}

function canonical(value: unknown, depth: number): string {
  if (depth > MAX_DEPTH) throw new Error(`value nested deeper than ${MAX_DEPTH} levels`);
  if (value === null || typeof value !== 'object') {
    // JSON has no undefined, functions or symbols; they canonicalize as null like JSON.stringify in arrays.
    const json = JSON.stringify(value) as string | undefined;
    return json ?? 'null';
  }
  if (Array.isArray(value)) {
    let out = '[';
    for (let i = 0; i < value.length; i++) out += (i > 0 ? ',' : '') + canonical(value[i], depth + 1);
    return out + ']';
  }
  const record = value as Record<string, unknown>;
  const keys = Object.keys(record).sort();
  let out = '{';
  let first = true;
  for (const key of keys) {
    const item = record[key];
    if (item === undefined) continue;
    out += (first ? '' : ',') + JSON.stringify(key) + ':' + canonical(item, depth + 1);
    first = false;
  }
  return out + '}';
}
