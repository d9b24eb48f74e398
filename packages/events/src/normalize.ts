// A raw record (any bytes, any JSON) → normalized events. Never throws: what cannot be read becomes an
// `unknown` event or a line in `problems`, so a consumer never has to dead-letter a record it was able
// to read from Kafka.
import { normalizeChatSendBody } from './normalize-chatsend.ts';
import { normalizeMetaBody } from './normalize-meta.ts';
import { NormalizeContext } from './normalize-support.ts';
import type { RawRecord } from './raw-record.ts';
import { normalizeRegistrationBody } from './registration.ts';
import type { NormalizeResult } from './types.ts';

export function normalizeRecord(record: RawRecord): NormalizeResult {
  const problems: string[] = [];
  try {
    const ctx = new NormalizeContext(record.meta, problems);
    const json = parseJson(record.body, problems);
    if (json === NOT_JSON) return { events: [], problems };
    if (record.meta.kind === 'registration') normalizeRegistrationBody(ctx, json);
    else if (record.meta.provider === 'meta') normalizeMetaBody(ctx, json);
    else if (record.meta.provider === 'chatsend') normalizeChatSendBody(ctx, json);
    else problems.push(`no normalizer for a ${record.meta.kind} record from ${record.meta.provider}`);
    return { events: ctx.events, problems };
  } catch (error) {
    // Last resort; the per-item guards make this unreachable for any body we know of.
    problems.push(
      `record could not be normalized (${error instanceof Error ? error.message : String(error)})`,
    );
    return { events: [], problems };
  }
}

const NOT_JSON = Symbol('not JSON');

function parseJson(body: Buffer, problems: string[]): unknown {
  let text = body.toString('utf8');
  if (text.charCodeAt(0) === 0xfeff) text = text.slice(1);
  try {
    return JSON.parse(text) as unknown;
  } catch {
    problems.push(`body is not JSON (${body.length} bytes)`);
    return NOT_JSON;
  }
}
