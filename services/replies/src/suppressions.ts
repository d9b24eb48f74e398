// Automation suppression: the first reply from a contact after an outbound message tells the operator's
// reminder scheduler to stop. One suppression per (session, contact, linked outbound message), so its id
// is a hash of exactly that. A reply linked to no known outbound message (e.g. it arrived before the
// registration and without a context id) still suppresses, by contact: outbound null, at most one per
// contact within the link window either side of the reply.
import { eventIdFromParts } from '@wapipe/events';

export const SUPPRESSION_REASONS = ['reply', 'opt_out'] as const;
export type SuppressionReason = (typeof SUPPRESSION_REASONS)[number];

/** Inbound types that are not a person answering: notices and a removed reaction are not replies. */
export function countsAsReply(reply: { type: string; text: string | null }): boolean {
  if (reply.type === 'system' || reply.type === 'request_welcome') return false;
  return !(reply.type === 'reaction' && reply.text === null);
}

export function suppressionId(
  sessionId: string,
  contact: string,
  outboundProviderMessageId: string,
  replyProviderMessageId: string,
): string {
  return outboundProviderMessageId === ''
    ? eventIdFromParts(['suppression', sessionId, contact, null, replyProviderMessageId])
    : eventIdFromParts(['suppression', sessionId, contact, outboundProviderMessageId]);
}

export interface SuppressionCandidate {
  sessionId: string;
  contact: string;
  /** '' when the reply is linked to no known outbound message. */
  outboundProviderMessageId: string;
  at: number;
  providerMessageId: string;
}

export interface StoredSuppression {
  id: string;
  sessionId: string;
  contact: string;
  outboundProviderMessageId: string;
  at: number;
}

/** The suppressions a batch's replies create, given those already stored for their contacts. */
export function decideSuppressions<T extends SuppressionCandidate>(
  candidates: readonly T[],
  stored: readonly StoredSuppression[],
  windowMs: number,
): (T & { id: string })[] {
  const ids = new Set(stored.map((s) => s.id));
  // Contact-level suppressions (outbound null) by session + contact, to keep one per window.
  const unlinked = new Map<string, number[]>();
  const contactOf = (s: { sessionId: string; contact: string }) => `${s.sessionId}\u0000${s.contact}`;
  for (const s of stored) {
    if (s.outboundProviderMessageId !== '') continue;
    unlinked.set(contactOf(s), [...(unlinked.get(contactOf(s)) ?? []), s.at]);
  }
  const created: (T & { id: string })[] = [];
  const ordered = [...candidates].sort((a, b) =>
    a.at !== b.at ? a.at - b.at : a.providerMessageId < b.providerMessageId ? -1 : 1,
  );
  for (const c of ordered) {
    const id = suppressionId(c.sessionId, c.contact, c.outboundProviderMessageId, c.providerMessageId);
    if (ids.has(id)) continue;
    if (c.outboundProviderMessageId === '') {
      const times = unlinked.get(contactOf(c)) ?? [];
      if (times.some((t) => Math.abs(t - c.at) < windowMs)) continue;
      unlinked.set(contactOf(c), [...times, c.at]);
    }
    ids.add(id);
    created.push({ ...c, id });
  }
  return created;
}
