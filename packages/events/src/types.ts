// The normalized event model that the three consumers share. One webhook request (a raw record) becomes
// zero or more of these; `kind` discriminates them.
import type { FailureCategory, RetryAdvice } from './failure-codes.ts';

export const PROVIDERS = ['meta', 'chatsend', 'registry'] as const;
export type Provider = (typeof PROVIDERS)[number];

/** Delivery statuses in the order a message reaches them (`failed` stands apart). */
export const DELIVERY_STATUSES = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
export type DeliveryStatusValue = (typeof DELIVERY_STATUSES)[number];

export const FAILURE_SOURCES = ['status', 'envelope', 'session', 'message'] as const;
/** Where a failure was reported: a failed status, the change's `errors`, a session state, an inbound message. */
export type FailureSource = (typeof FAILURE_SOURCES)[number];

export const EVENT_KINDS = ['status', 'inbound', 'failure', 'session', 'registration', 'unknown'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface EventBase {
  /** Deterministic: the same logical event gets the same id however often and in whatever batch it arrives. */
  eventId: string;
  sessionId: string;
  provider: Provider;
  /** When the provider says it happened: ISO-8601 UTC with milliseconds. */
  occurredAt: string;
  /** When the ingress received the request (ISO-8601 UTC). */
  receivedAt: string;
  /** The ingress request that carried it; several events share one. */
  requestId: string;
}

export interface DeliveryStatus extends EventBase {
  kind: 'status';
  providerMessageId: string;
  /** Phone number (or business-scoped user id, or group id) the message was sent to. */
  recipient: string;
  status: DeliveryStatusValue;
  /** For a message sent to a group: the member this status is about. */
  groupParticipant: string | null;
  pricingCategory: string | null;
  billable: boolean | null;
  conversationId: string | null;
  conversationCategory: string | null;
  bizOpaqueCallbackData: string | null;
}

export interface InboundMessage extends EventBase {
  kind: 'inbound';
  providerMessageId: string;
  from: string;
  contactName: string | null;
  /** The provider's message type, as sent (`text`, `image`, `interactive`, …). */
  type: string;
  /** What a person would read: text body, caption, button text, reply title, emoji, place name … */
  text: string | null;
  /** What a program would match on: button payload, reply id, flow response JSON, order JSON. */
  payload: string | null;
  replyToProviderMessageId: string | null;
  reactionToProviderMessageId: string | null;
  forwarded: boolean;
}

export interface Failure extends EventBase {
  kind: 'failure';
  providerMessageId: string | null;
  recipient: string | null;
  /** Always a string; Meta's numeric codes in decimal. */
  code: string;
  title: string;
  details: string | null;
  category: FailureCategory;
  retryable: boolean;
  retryAdvice: RetryAdvice;
  alert: boolean;
  source: FailureSource;
}

export interface SessionState extends EventBase {
  kind: 'session';
  status: string;
  reason: string | null;
}

export interface Registration extends EventBase {
  kind: 'registration';
  messageId: string;
  providerMessageId: string;
  recipient: string;
  sentAt: string | null;
  campaignId: string | null;
  category: string | null;
  template: string | null;
}

/** An authenticated item this version does not understand, kept so nothing is dropped. */
export interface UnknownEvent extends EventBase {
  kind: 'unknown';
  /** What it claimed to be, e.g. `status:deleted`, `message:poll`, `field:calls`, `chatsend:contact.updated`. */
  rawType: string;
  /** Where it sat in the body, e.g. `entry[0].changes[0].value.statuses[3]` (empty for the whole body). */
  path: string;
  raw: unknown;
}

export type NormalizedEvent =
  DeliveryStatus | InboundMessage | Failure | SessionState | Registration | UnknownEvent;

export interface NormalizeResult {
  events: NormalizedEvent[];
  /** Human-readable notes on what could not be read as documented (never secrets, never whole bodies). */
  problems: string[];
}

export type ValidationResult = { ok: true; events: number } | { ok: false; message: string };
