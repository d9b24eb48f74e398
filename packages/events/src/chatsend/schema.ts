// zod schemas for a ChatSend webhook event (CONTRACT.md, "ChatSend event body"). One request carries one
// event. Identity fields are strict; content fields read a wrong-typed value as absent; objects are loose.
// An event `type` this version does not know is accepted and kept as an `unknown` event.
import { z } from 'zod';

const content = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);

export const CHATSEND_EVENT_TYPES = [
  'message.status',
  'message.received',
  'message.failed',
  'session.status',
] as const;
export type ChatSendEventType = (typeof CHATSEND_EVENT_TYPES)[number];

/** Session states after which the session cannot send; each also yields a `session` failure. */
export const CHATSEND_FAILING_SESSION_STATES = ['ERROR', 'STOPPED', 'QR_REQUIRED'] as const;

export const ChatSendMessageStatusData = z.looseObject({
  messageId: z.string().min(1),
  recipient: z.string(),
  /** sent | delivered | read | played; any other value becomes an `unknown` event. */
  status: z.string(),
});
export type ChatSendMessageStatusData = z.infer<typeof ChatSendMessageStatusData>;

export const ChatSendMessageReceivedData = z.looseObject({
  messageId: z.string().min(1),
  from: z.string(),
  type: z.string(),
  contactName: content(z.string()),
  text: content(z.string()),
  caption: content(z.string()),
  replyTo: content(z.string()),
  forwarded: content(z.boolean()),
});
export type ChatSendMessageReceivedData = z.infer<typeof ChatSendMessageReceivedData>;

export const ChatSendMessageFailedData = z.looseObject({
  messageId: z.string().min(1),
  recipient: z.string(),
  error: z.looseObject({ code: z.union([z.string(), z.number()]), message: content(z.string()) }),
});
export type ChatSendMessageFailedData = z.infer<typeof ChatSendMessageFailedData>;

export const ChatSendSessionStatusData = z.looseObject({
  /** STARTING | CONNECTED | STOPPED | QR_REQUIRED | ERROR; other values are kept as they come. */
  status: z.string(),
  reason: content(z.string()),
});
export type ChatSendSessionStatusData = z.infer<typeof ChatSendSessionStatusData>;

export const CHATSEND_DATA_SCHEMAS = {
  'message.status': ChatSendMessageStatusData,
  'message.received': ChatSendMessageReceivedData,
  'message.failed': ChatSendMessageFailedData,
  'session.status': ChatSendSessionStatusData,
} as const satisfies Record<ChatSendEventType, z.ZodType>;

export function isChatSendEventType(type: string): type is ChatSendEventType {
  return Object.hasOwn(CHATSEND_DATA_SCHEMAS, type);
}

export const ChatSendEnvelope = z.looseObject({
  id: z.string().min(1),
  type: z.string(),
  sessionId: z.string().min(1),
  /** ISO-8601; an unreadable value falls back to the time of receipt when normalizing. */
  timestamp: z.string(),
  data: z.unknown().optional(),
});
export type ChatSendEnvelope = z.infer<typeof ChatSendEnvelope>;

/** The whole event: the envelope, and for a known `type` its data. */
export const ChatSendEvent = ChatSendEnvelope.superRefine((event, ctx) => {
  if (!isChatSendEventType(event.type)) return;
  const parsed = CHATSEND_DATA_SCHEMAS[event.type].safeParse(event.data);
  if (parsed.success) return;
  for (const issue of parsed.error.issues) {
    ctx.addIssue({ code: 'custom', path: ['data', ...issue.path], message: issue.message });
  }
});
export type ChatSendEvent = z.infer<typeof ChatSendEvent>;
