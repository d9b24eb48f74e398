// A reply without context links to the contact's latest outbound message whose cohort time is within the
// window before it. That depends on every outbound message of the contact, so when a batch teaches an
// outbound message's cohort time (a new message, an earlier status, a registration's sentAt moving it
// either way), the stored replies that time concerns are linked again from the whole index. After every
// batch each stored reply's link is then what the index says, whatever order the events came in.
import type { ClickHouse } from '@wapipe/clickhouse';
import { contactKey } from '@wapipe/events';
import { linkReply } from './linking.ts';
import type { ReplyLink } from './linking.ts';
import { loadContextlessReplies } from './links.ts';
import type { LinkedReply } from './links.ts';
import { outboundSentAt } from './outbound-index.ts';
import type { OutboundEntry } from './outbound-index.ts';
import { loadOutboundForContacts, pairKey } from './stored-state.ts';

export interface Relink {
  /** The stored reply, with the link it had before this batch. */
  reply: LinkedReply;
  contact: string;
  link: ReplyLink;
  /** The newly linked outbound message; null for none. */
  outbound: OutboundEntry | null;
}

export interface ReplySpan {
  sessionId: string;
  contact: string;
  from: number;
  to: number;
}

/**
 * The reply times whose links a changed index entry can move: a message with cohort time t is a
 * candidate for the contact's replies in [t, t + window], so a time that moved concerns both spans.
 */
export function affectedSpans(
  stored: ReadonlyMap<string, OutboundEntry>,
  updates: ReadonlyMap<string, OutboundEntry>,
  windowMs: number,
): ReplySpan[] {
  const spans: ReplySpan[] = [];
  for (const [key, entry] of updates) {
    const before = stored.get(key);
    const times = [outboundSentAt(entry)];
    if (before) {
      if (outboundSentAt(before) === times[0] && before.recipient === entry.recipient) continue;
      times.push(outboundSentAt(before));
    }
    spans.push({
      sessionId: entry.sessionId,
      contact: entry.recipient,
      from: Math.min(...times),
      to: Math.max(...times) + windowMs,
    });
  }
  return spans;
}

/** Stored replies whose link the batch's index changes moved, with their new links. */
export async function relinkStoredReplies(
  ch: ClickHouse,
  options: {
    stored: ReadonlyMap<string, OutboundEntry>;
    updates: ReadonlyMap<string, OutboundEntry>;
    /** The newest version of every entry the batch touched. */
    known: ReadonlyMap<string, OutboundEntry>;
    windowMs: number;
  },
): Promise<Relink[]> {
  const { windowMs } = options;
  const spans = affectedSpans(options.stored, options.updates, windowMs);
  if (spans.length === 0) return [];
  const spansOf = groupBy(spans, (s) => pairKey(s.sessionId, s.contact));
  const replies = (
    await loadContextlessReplies(
      ch,
      spans,
      new Date(least(spans.map((s) => s.from))),
      new Date(greatest(spans.map((s) => s.to))),
    )
  ).filter((r) =>
    (spansOf.get(pairKey(r.sessionId, contactKey(r.from))) ?? []).some((s) => s.from <= r.at && r.at <= s.to),
  );
  if (replies.length === 0) return [];

  // Every outbound message of these contacts that can link one of the replies: stored, overlaid with
  // what the batch changed.
  const times = replies.map((r) => r.at);
  const contacts = replies.map((r) => ({ sessionId: r.sessionId, contact: contactKey(r.from) }));
  const storedOutbound = await loadOutboundForContacts(
    ch,
    contacts,
    new Date(least(times) - windowMs),
    new Date(greatest(times)),
  );
  const candidates = new Map<string, Map<string, OutboundEntry>>();
  const add = (entry: OutboundEntry) => {
    const key = pairKey(entry.sessionId, entry.recipient);
    const entries = candidates.get(key) ?? new Map<string, OutboundEntry>();
    entries.set(entry.providerMessageId, entry);
    candidates.set(key, entries);
  };
  for (const entries of storedOutbound.values()) entries.forEach(add);
  for (const entry of options.known.values()) add(entry);

  const relinks: Relink[] = [];
  for (const reply of replies) {
    const contact = contactKey(reply.from);
    const entries = candidates.get(pairKey(reply.sessionId, contact)) ?? new Map<string, OutboundEntry>();
    const link = linkReply({ contextId: null, at: reply.at }, [...entries.values()], windowMs);
    if (link.providerMessageId === reply.link.providerMessageId && link.method === reply.link.method)
      continue;
    relinks.push({ reply, contact, link, outbound: entries.get(link.providerMessageId) ?? null });
  }
  return relinks;
}

// No spread into Math.min/max: a batch may teach thousands of messages.
const least = (values: number[]) => values.reduce((a, b) => Math.min(a, b), Infinity);
const greatest = (values: number[]) => values.reduce((a, b) => Math.max(a, b), -Infinity);

function groupBy<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const item of items) groups.set(key(item), [...(groups.get(key(item)) ?? []), item]);
  return groups;
}
