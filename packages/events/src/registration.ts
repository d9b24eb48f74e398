// Outbound message registrations: the send path tells us which of its messages (messageId) went out as
// which provider message (providerMessageId). The ingress validates POST /v1/messages items with the
// schema and writes each one as a raw record of kind "registration" whose body is the item's JSON.
import { z } from 'zod';
import { registrationEventId } from './event-id.ts';
import { describeIssue, isoToIso, unknownEvent, type NormalizeContext } from './normalize-support.ts';

const id = z.string().min(1).max(256);

export const OutboundRegistration = z.object({
  messageId: id,
  sessionId: id,
  recipient: id,
  providerMessageId: id,
  sentAt: z.iso.datetime({ offset: true }).nullish(),
  campaignId: z.string().max(256).nullish(),
  category: z.string().max(64).nullish(),
  template: z.string().max(512).nullish(),
});
export type OutboundRegistration = z.infer<typeof OutboundRegistration>;

export function normalizeRegistrationBody(ctx: NormalizeContext, json: unknown): void {
  const parsed = OutboundRegistration.safeParse(json);
  if (!parsed.success) {
    ctx.problem('', `registration not understood (${describeIssue(parsed.error.issues)})`);
    ctx.emit(unknownEvent(ctx, 'invalid:registration', '', json));
    return;
  }
  const r = parsed.data;
  if (r.sessionId !== ctx.sessionId) {
    ctx.problem(
      'sessionId',
      `registration says ${JSON.stringify(r.sessionId)}, record is for ${JSON.stringify(ctx.sessionId)}`,
    );
  }
  const sentAt = r.sentAt ? isoToIso(ctx, r.sentAt, 'sentAt') : null;
  const eventId = registrationEventId({
    sessionId: r.sessionId,
    providerMessageId: r.providerMessageId,
    messageId: r.messageId,
  });
  ctx.emit({
    kind: 'registration',
    eventId,
    sessionId: r.sessionId,
    provider: ctx.provider,
    occurredAt: sentAt ?? ctx.receivedAt,
    receivedAt: ctx.receivedAt,
    requestId: ctx.requestId,
    messageId: r.messageId,
    providerMessageId: r.providerMessageId,
    recipient: r.recipient,
    sentAt,
    campaignId: r.campaignId ?? null,
    category: r.category ?? null,
    template: r.template ?? null,
  });
}
