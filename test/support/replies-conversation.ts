// A generated conversation with known effects: contacts in four groups, each with an outbound message
// and replies whose suppressions, opt-outs and follow-ups (default rule) are known in advance.
import { MINUTE, T0, meta } from './replies-webhooks.ts';
import type { MetaMessage, RegistrationSpec } from './replies-webhooks.ts';

export interface ConversationTruth {
  replies: number;
  suppressions: number;
  optOuts: number;
  optIns: number;
  followUps: number;
}

/** `contacts` contacts (digits `1650555` + 4) with registrations and replies, and the truth they imply. */
export function conversation(contacts: number): {
  registrations: RegistrationSpec[];
  messages: MetaMessage[];
  truth: ConversationTruth;
} {
  const registrations: RegistrationSpec[] = [];
  const messages: MetaMessage[] = [];
  const truth = { replies: 0, suppressions: 0, optOuts: 0, optIns: 0, followUps: 0 };
  for (let i = 0; i < contacts; i++) {
    const from = `1650555${String(i).padStart(4, '0')}`;
    const out = `wamid.out.${i}`;
    registrations.push({
      messageId: `op-${i}`,
      providerMessageId: out,
      recipient: from,
      sentAt: T0,
      campaignId: 'spring',
    });
    const id = (n: number) => `wamid.in.${i}.${n}`;
    truth.suppressions++;
    switch (i % 4) {
      case 0: // a thank-you: suppression, follow-up
        messages.push(meta.text(id(1), from, T0 + MINUTE, 'Thanks!', out));
        truth.followUps++;
        break;
      case 1: // STOP twice: suppression (opt_out), one opt-out
        messages.push(meta.text(id(1), from, T0 + MINUTE, 'STOP', out));
        messages.push(meta.text(id(2), from, T0 + 20 * MINUTE, 'stop'));
        truth.optOuts++;
        break;
      case 2: // STOP then START: suppression (opt_out), opt-out, opt-in
        messages.push(meta.text(id(1), from, T0 + MINUTE, 'Stop.', out));
        messages.push(meta.text(id(2), from, T0 + 10 * MINUTE, 'START'));
        truth.optOuts++;
        truth.optIns++;
        break;
      default: // a button, then text without context linked to the same message: one suppression, one follow-up
        messages.push(meta.button(id(1), from, T0 + MINUTE, 'Confirm', 'CONFIRM', out));
        messages.push(meta.text(id(2), from, T0 + 2 * MINUTE, 'See you Friday'));
        truth.followUps++;
    }
  }
  truth.replies = messages.length;
  return { registrations, messages, truth };
}

/** A seeded shuffle, so a failure can be replayed. */
export function shuffled<T>(list: readonly T[], seed: number): T[] {
  const out = [...list];
  let s = seed;
  for (let i = out.length - 1; i > 0; i--) {
    s = (s * 1103515245 + 12345) % 2147483648;
    const j = s % (i + 1);
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}
