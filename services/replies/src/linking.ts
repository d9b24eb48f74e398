// Which outbound message a reply answers. A context id (the message quoted, or the one reacted to) links
// it, known or not yet: the registration may come later and the link is completed when read. Without one,
// the contact's most recent outbound message sent within the window before the reply links it, among
// what is known when the reply is processed.
import type { OutboundEntry } from './outbound-index.ts';
import { outboundSentAt } from './outbound-index.ts';

export const LINK_METHODS = ['context', 'recent', 'none'] as const;
export type LinkMethod = (typeof LINK_METHODS)[number];

export interface ReplyLink {
  method: LinkMethod;
  /** '' for none. */
  providerMessageId: string;
}

export interface LinkInput {
  /** The reply's context id (reply-to, else reaction target), or null; not one of the contact's own messages. */
  contextId: string | null;
  at: number;
}

export function linkReply(
  reply: LinkInput,
  contactOutbound: readonly OutboundEntry[],
  windowMs: number,
): ReplyLink {
  if (reply.contextId !== null && reply.contextId !== '') {
    return { method: 'context', providerMessageId: reply.contextId };
  }
  let best: OutboundEntry | undefined;
  for (const entry of contactOutbound) {
    const sentAt = outboundSentAt(entry);
    if (sentAt > reply.at || sentAt < reply.at - windowMs) continue;
    const bestAt = best ? outboundSentAt(best) : -Infinity;
    if (sentAt > bestAt || (sentAt === bestAt && best && entry.providerMessageId > best.providerMessageId)) {
      best = entry;
    }
  }
  return best
    ? { method: 'recent', providerMessageId: best.providerMessageId }
    : { method: 'none', providerMessageId: '' };
}
