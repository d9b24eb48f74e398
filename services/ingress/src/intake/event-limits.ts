// Bounds on what one accepted body may carry, checked after the provider shape: Meta batches at most 1000
// events, and no provider id is longer than 256 characters. Without them one signed body could fan out
// into unbounded events or ids that every consumer then stores and indexes.

/** The providers whose webhooks the ingress takes. */
export type Provider = 'meta' | 'chatsend';

export const MAX_EVENTS_PER_BODY = 1000;
export const MAX_ID_CHARS = 256;

type Json = Record<string, unknown>;
const isObject = (v: unknown): v is Json => typeof v === 'object' && v !== null && !Array.isArray(v);
const asArray = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);

/** The first problem with the body's size in events or its ids, or undefined when it is within bounds. */
export function eventLimitProblem(provider: Provider, json: unknown, events: number): string | undefined {
  if (events > MAX_EVENTS_PER_BODY) {
    return `the body carries ${events} events; at most ${MAX_EVENTS_PER_BODY} per request`;
  }
  for (const [path, id] of provider === 'meta' ? metaIds(json) : chatsendIds(json)) {
    if (typeof id === 'string' && id.length > MAX_ID_CHARS) {
      return `${path}: an id has at most ${MAX_ID_CHARS} characters (got ${id.length})`;
    }
  }
  return undefined;
}

function* metaIds(json: unknown): Generator<[string, unknown]> {
  if (!isObject(json)) return;
  const entries = asArray(json['entry']);
  for (let e = 0; e < entries.length; e++) {
    const entry = entries[e];
    if (!isObject(entry)) continue;
    yield [`entry[${e}].id`, entry['id']];
    const changes = asArray(entry['changes']);
    for (let c = 0; c < changes.length; c++) {
      const change = changes[c];
      const value = isObject(change) ? change['value'] : undefined;
      if (!isObject(value)) continue;
      const path = `entry[${e}].changes[${c}].value`;
      const statuses = asArray(value['statuses']);
      for (let i = 0; i < statuses.length; i++) {
        const s = statuses[i];
        if (isObject(s)) yield [`${path}.statuses[${i}].id`, s['id']];
      }
      const messages = asArray(value['messages']);
      for (let i = 0; i < messages.length; i++) {
        const m = messages[i];
        if (!isObject(m)) continue;
        yield [`${path}.messages[${i}].id`, m['id']];
        const context = m['context'];
        if (isObject(context)) yield [`${path}.messages[${i}].context.id`, context['id']];
      }
    }
  }
}

function* chatsendIds(json: unknown): Generator<[string, unknown]> {
  if (!isObject(json)) return;
  yield ['id', json['id']];
  const data = json['data'];
  if (!isObject(data)) return;
  yield ['data.messageId', data['messageId']];
  yield ['data.replyTo', data['replyTo']];
}
