// The replied rollups' change rows (migration 0012). A message is counted in its cohort minute, under its
// dimensions, while at least one reply links to it. A batch can move that place three ways: it teaches the
// message's cohort time or dimensions (a registration after its statuses, an earlier status), it links a
// new reply to it, or it moves a stored reply's link onto it or away from it. For every message one of
// those touched, the place before the batch and after it are computed from the stored index and the
// stored links, and a change writes -1 for the old place and +1 for the new one. Both are read from what
// the tables hold, so a batch seen again (every reply a repeat, every index entry unchanged) writes none.
import type { ClickHouse } from '@wapipe/clickhouse';
import { cohortMinute, messageCategory, recipientCountry } from '@wapipe/events';
import { chDateTime } from '@wapipe/pipeline';
import type { ReplyLink } from './linking.ts';
import { loadRepliesLinkedTo } from './links.ts';
import type { LinkedReply } from './links.ts';
import { outboundCohortTime, outboundKey } from './outbound-index.ts';
import type { OutboundEntry } from './outbound-index.ts';
import { loadOutboundByMessage } from './stored-state.ts';

export interface RepliedPlace {
  minute: string;
  campaign: string;
  category: string;
  country: string;
  template: string;
}

/** Where a message counts as replied, or null: no linked reply, or no cohort time yet. */
export function repliedPlace(entry: OutboundEntry | undefined, replied: boolean): RepliedPlace | null {
  if (!entry || !replied) return null;
  const at = outboundCohortTime(entry);
  if (at === null) return null;
  return {
    minute: cohortMinute(at),
    campaign: entry.campaignId,
    category: messageCategory(entry.category, entry.pricing?.category),
    country: recipientCountry(entry.recipient),
    template: entry.template,
  };
}

const samePlace = (a: RepliedPlace | null, b: RepliedPlace | null) =>
  a === b ||
  (a !== null &&
    b !== null &&
    a.minute === b.minute &&
    a.campaign === b.campaign &&
    a.category === b.category &&
    a.country === b.country &&
    a.template === b.template);

export interface RepliedBatch {
  /** Index entries as stored before the batch, of the messages its registrations and statuses concern. */
  storedIndex: ReadonlyMap<string, OutboundEntry>;
  /** The entries the batch changed, as it will store them. */
  indexUpdates: ReadonlyMap<string, OutboundEntry>;
  /** The batch's new replies, with their links. */
  newReplies: readonly { sessionId: string; link: ReplyLink }[];
  /** Stored replies whose link the batch moves: `reply.link` is the link before, `link` the one after. */
  relinks: readonly { reply: LinkedReply; link: ReplyLink }[];
  /** The batch's latest receipt (the change rows' TTL clock). */
  changedAt: Date;
}

/** The batch's rows for replies_replied_changes. */
export async function repliedChangeRows(
  ch: ClickHouse,
  batch: RepliedBatch,
): Promise<Record<string, unknown>[]> {
  // How many linked replies each touched message gains (+) or loses (-) in this batch.
  const delta = new Map<string, number>();
  const session = new Map<string, { sessionId: string; providerMessageId: string }>();
  const touch = (sessionId: string, providerMessageId: string, by: number) => {
    if (providerMessageId === '') return;
    const key = outboundKey(sessionId, providerMessageId);
    delta.set(key, (delta.get(key) ?? 0) + by);
    session.set(key, { sessionId, providerMessageId });
  };
  for (const entry of batch.indexUpdates.values()) touch(entry.sessionId, entry.providerMessageId, 0);
  for (const r of batch.newReplies) touch(r.sessionId, r.link.providerMessageId, 1);
  for (const r of batch.relinks) {
    touch(r.reply.sessionId, r.reply.link.providerMessageId, -1);
    touch(r.reply.sessionId, r.link.providerMessageId, 1);
  }
  if (delta.size === 0) return [];

  const keys = [...session.values()];
  const unloaded = keys.filter((k) => !batch.storedIndex.has(outboundKey(k.sessionId, k.providerMessageId)));
  const before = new Map([...batch.storedIndex, ...(await loadOutboundByMessage(ch, unloaded))]);
  const linkedBefore = new Map<string, number>();
  for (const reply of await loadRepliesLinkedTo(ch, keys)) {
    const key = outboundKey(reply.sessionId, reply.link.providerMessageId);
    linkedBefore.set(key, (linkedBefore.get(key) ?? 0) + 1);
  }

  const changedAt = chDateTime(batch.changedAt);
  const rows: Record<string, unknown>[] = [];
  for (const [key, { sessionId, providerMessageId }] of session) {
    const count = linkedBefore.get(key) ?? 0;
    const old = repliedPlace(before.get(key), count > 0);
    const now = repliedPlace(batch.indexUpdates.get(key) ?? before.get(key), count + delta.get(key)! > 0);
    if (samePlace(old, now)) continue;
    for (const [place, sign] of [
      [old, -1],
      [now, 1],
    ] as const) {
      if (place)
        rows.push({
          session_id: sessionId,
          provider_message_id: providerMessageId,
          sign,
          changed_at: changedAt,
          ...place,
        });
    }
  }
  return rows;
}
