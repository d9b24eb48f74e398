// ChatSend event → normalized events. One request is one event; a failed message also yields a failure,
// and a session that stops being able to send also yields a `session` failure.
import { contentEventId, inboundEventId, statusEventId } from './event-id.ts';
import type { z } from 'zod';
import {
  CHATSEND_FAILING_SESSION_STATES,
  ChatSendEnvelope,
  ChatSendMessageFailedData,
  ChatSendMessageReceivedData,
  ChatSendMessageStatusData,
  ChatSendSessionStatusData,
  isChatSendEventType,
} from './chatsend/schema.ts';
import {
  describeIssue,
  failureEvent,
  isoToIso,
  unknownEvent,
  type NormalizeContext,
} from './normalize-support.ts';
import { DELIVERY_STATUSES, type DeliveryStatusValue } from './types.ts';

const STATUSES = new Set<string>(DELIVERY_STATUSES);
const FAILING_SESSION_STATES = new Set<string>(CHATSEND_FAILING_SESSION_STATES);

export function normalizeChatSendBody(ctx: NormalizeContext, json: unknown): void {
  const envelope = ChatSendEnvelope.safeParse(json);
  if (!envelope.success) {
    ctx.problem('', `body is not a ChatSend event (${describeIssue(envelope.error.issues)})`);
    ctx.emit(unknownEvent(ctx, 'body', '', json));
    return;
  }
  const event = envelope.data;
  if (event.sessionId !== ctx.sessionId) {
    // The route's session (whose secret signed the request) wins over what the body says.
    ctx.problem(
      'sessionId',
      `body says ${JSON.stringify(event.sessionId)}, record is for ${JSON.stringify(ctx.sessionId)}`,
    );
  }
  if (!isChatSendEventType(event.type)) {
    ctx.emit(unknownEvent(ctx, `event:${event.type}`, '', json));
    return;
  }
  const occurredAt = isoToIso(ctx, event.timestamp, 'timestamp');
  switch (event.type) {
    case 'message.status': {
      const data = readData(ctx, ChatSendMessageStatusData, event, json);
      if (data) messageStatus(ctx, data, occurredAt, json);
      return;
    }
    case 'message.received': {
      const data = readData(ctx, ChatSendMessageReceivedData, event, json);
      if (data) messageReceived(ctx, data, occurredAt);
      return;
    }
    case 'message.failed': {
      const data = readData(ctx, ChatSendMessageFailedData, event, json);
      if (data) messageFailed(ctx, data, occurredAt);
      return;
    }
    case 'session.status': {
      const data = readData(ctx, ChatSendSessionStatusData, event, json);
      if (data) sessionStatus(ctx, data, occurredAt, event);
      return;
    }
  }
}

/** The event's data read with its type's schema, or null after keeping the event as unknown. */
function readData<S extends z.ZodType>(
  ctx: NormalizeContext,
  schema: S,
  event: ChatSendEnvelope,
  json: unknown,
): z.infer<S> | null {
  const data = schema.safeParse(event.data);
  if (data.success) return data.data;
  ctx.problem('data', `${event.type} not understood (${describeIssue(data.error.issues)})`);
  ctx.emit(unknownEvent(ctx, `invalid:${event.type}`, '', json));
  return null;
}

function emitStatus(
  ctx: NormalizeContext,
  providerMessageId: string,
  recipient: string,
  status: DeliveryStatusValue,
  occurredAt: string,
): void {
  const eventId = statusEventId({
    provider: ctx.provider,
    sessionId: ctx.sessionId,
    providerMessageId,
    status,
    groupParticipant: null,
  });
  ctx.emit({
    kind: 'status',
    eventId,
    sessionId: ctx.sessionId,
    provider: ctx.provider,
    occurredAt,
    receivedAt: ctx.receivedAt,
    requestId: ctx.requestId,
    providerMessageId,
    recipient,
    status,
    groupParticipant: null,
    pricingCategory: null,
    billable: null,
    conversationId: null,
    conversationCategory: null,
    bizOpaqueCallbackData: null,
  });
}

function messageStatus(
  ctx: NormalizeContext,
  d: ChatSendMessageStatusData,
  occurredAt: string,
  json: unknown,
): void {
  if (!STATUSES.has(d.status)) {
    ctx.emit(unknownEvent(ctx, `status:${d.status}`, '', json));
    return;
  }
  const status = d.status as DeliveryStatusValue;
  emitStatus(ctx, d.messageId, d.recipient, status, occurredAt);
  if (status === 'failed') {
    // A failed status without an error: same rule as Meta's, one failure with code "unknown".
    ctx.emit(
      failureEvent(ctx, {
        providerMessageId: d.messageId,
        recipient: d.recipient,
        code: 'unknown',
        providerTitle: null,
        details: 'failed status carried no error',
        source: 'status',
        occurredAt,
        content: null,
      }),
    );
  }
}

function messageReceived(ctx: NormalizeContext, d: ChatSendMessageReceivedData, occurredAt: string): void {
  const eventId = inboundEventId({
    provider: ctx.provider,
    sessionId: ctx.sessionId,
    providerMessageId: d.messageId,
  });
  ctx.emit({
    kind: 'inbound',
    eventId,
    sessionId: ctx.sessionId,
    provider: ctx.provider,
    occurredAt,
    receivedAt: ctx.receivedAt,
    requestId: ctx.requestId,
    providerMessageId: d.messageId,
    from: d.from,
    contactName: d.contactName ?? null,
    type: d.type,
    text: d.text ?? d.caption ?? null,
    payload: null,
    replyToProviderMessageId: d.replyTo ?? null,
    reactionToProviderMessageId: null,
    forwarded: d.forwarded === true,
  });
}

function messageFailed(ctx: NormalizeContext, d: ChatSendMessageFailedData, occurredAt: string): void {
  emitStatus(ctx, d.messageId, d.recipient, 'failed', occurredAt);
  ctx.emit(
    failureEvent(ctx, {
      providerMessageId: d.messageId,
      recipient: d.recipient,
      code: String(d.error.code),
      providerTitle: d.error.message ?? null,
      details: d.error.message ?? null,
      source: 'status',
      occurredAt,
      content: null,
    }),
  );
}

function sessionStatus(
  ctx: NormalizeContext,
  d: ChatSendSessionStatusData,
  occurredAt: string,
  event: ChatSendEnvelope,
): void {
  // The timestamp is part of the identity: a session that goes CONNECTED → ERROR → CONNECTED reports two
  // distinct CONNECTED states, while a retried request repeats the same timestamp and merges.
  const content = { timestamp: event.timestamp, data: event.data };
  const eventId = contentEventId('session', { provider: ctx.provider, sessionId: ctx.sessionId, content });
  ctx.emit({
    kind: 'session',
    eventId,
    sessionId: ctx.sessionId,
    provider: ctx.provider,
    occurredAt,
    receivedAt: ctx.receivedAt,
    requestId: ctx.requestId,
    status: d.status,
    reason: d.reason ?? null,
  });
  if (!FAILING_SESSION_STATES.has(d.status)) return;
  ctx.emit(
    failureEvent(ctx, {
      providerMessageId: null,
      recipient: null,
      code: `session.${d.status}`,
      providerTitle: null,
      details: d.reason ?? null,
      source: 'session',
      occurredAt,
      content,
    }),
  );
}
