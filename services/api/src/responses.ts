// The shapes the API answers with. Handlers return these types; the OpenAPI document is generated from
// these schemas.
import { z } from 'zod';
import { ALERT_SEVERITIES, FAILURE_CATEGORIES, MESSAGE_STATUSES } from '@wapipe/events';

const at = z.string().meta({ format: 'date-time', example: '2026-11-29T10:00:00.000Z' });

export const failureCategories = FAILURE_CATEGORIES;

export const MessageView = z.object({
  messageId: z.string().nullable().meta({ description: 'The operator’s id; null when never registered.' }),
  providerMessageId: z.string(),
  sessionId: z.string(),
  recipient: z.string(),
  status: z.enum(MESSAGE_STATUSES),
  updatedAt: at.meta({ description: 'Time of the latest status; the registration time while pending.' }),
  timeline: z
    .array(z.object({ status: z.string(), at, eventId: z.string() }))
    .meta({ description: 'Each status reached, once (its earliest report), ordered by `at`.' }),
  failure: z
    .object({ code: z.string(), title: z.string(), category: z.string(), retryable: z.boolean() })
    .nullable()
    .meta({ description: 'The earliest failure reported for the message, even if a delivery followed.' }),
  replies: z
    .array(z.object({ providerMessageId: z.string(), at, type: z.string(), text: z.string() }))
    .meta({ description: 'Inbound messages linked to this one, oldest first (at most 1000).' }),
});
export type MessageView = z.infer<typeof MessageView>;

const counts = {
  sent: z.number().int(),
  delivered: z.number().int(),
  read: z.number().int(),
  failed: z.number().int(),
  replies: z.number().int(),
};
const rate = z.number().nullable();

export const StatsView = z.object({
  totals: z.object({
    ...counts,
    deliveryRate: rate.meta({ description: 'delivered / sent; null when sent is 0.' }),
    readRate: rate.meta({ description: 'read / sent; null when sent is 0.' }),
    failureRate: rate.meta({ description: 'failed / sent; null when sent is 0.' }),
  }),
  buckets: z
    .array(z.object({ start: at, ...counts }))
    .meta({ description: 'Every bucket of the range, oldest first, zeros included.' }),
});
export type StatsView = z.infer<typeof StatsView>;

export const FailuresView = z.object({
  byCode: z
    .array(
      z.object({
        code: z.string(),
        title: z.string(),
        category: z.string(),
        retryable: z.boolean(),
        count: z.number().int(),
      }),
    )
    .meta({ description: 'Most frequent first.' }),
  byCategory: z
    .record(z.string(), z.number().int())
    .meta({ description: `Every category (${failureCategories.join(', ')}), zeros included.` }),
});
export type FailuresView = z.infer<typeof FailuresView>;

const nextCursor = z
  .string()
  .nullable()
  .meta({ description: 'Pass as `cursor` for the next page; null on the last.' });

export const RepliesPage = z.object({
  replies: z.array(
    z.object({
      providerMessageId: z.string(),
      at,
      from: z.string(),
      type: z.string(),
      text: z.string(),
      replyTo: z
        .object({ messageId: z.string().nullable(), providerMessageId: z.string() })
        .nullable()
        .meta({ description: 'The outbound message replied to; messageId null when not registered.' }),
    }),
  ),
  nextCursor,
});
export type RepliesPage = z.infer<typeof RepliesPage>;

export const AlertsPage = z.object({
  alerts: z.array(
    z.object({
      id: z.string(),
      sessionId: z.string(),
      kind: z.string(),
      severity: z.enum(ALERT_SEVERITIES),
      status: z.enum(['open', 'resolved']),
      openedAt: at,
      resolvedAt: at.nullable(),
      detail: z.unknown().meta({ description: 'What the alert saw (JSON).' }),
    }),
  ),
  nextCursor,
});
export type AlertsPage = z.infer<typeof AlertsPage>;

export const ErrorBody = z.object({
  error: z.object({ code: z.string(), message: z.string() }),
});

const RawRequest = z.object({
  receivedAt: at,
  sessionId: z.string(),
  provider: z.string().meta({ description: '`meta`, `chatsend`, or `registry` for a registration.' }),
  contentType: z.string(),
  body: z.string().meta({ description: 'The exact request body, as text.' }),
  sha256: z.string().meta({ description: 'Hex SHA-256 of the body bytes.' }),
  partition: z.number().int(),
  offset: z.string().meta({ description: 'The raw topic offset, as a decimal string (64-bit).' }),
});

export const MessageRawView = z.object({ requests: z.array(RawRequest) });
export type MessageRawView = z.infer<typeof MessageRawView>;

export const RawPage = z.object({ requests: z.array(RawRequest), nextCursor });
export type RawPage = z.infer<typeof RawPage>;

export const AuditPage = z.object({
  entries: z.array(
    z.object({
      at,
      actor: z
        .string()
        .meta({ description: 'The API key by a short fingerprint (`key:<12 hex>`), never the key.' }),
      action: z.string(),
      target: z.string(),
      detail: z.unknown().meta({ description: 'What was done (JSON); never a secret.' }),
    }),
  ),
  nextCursor,
});
export type AuditPage = z.infer<typeof AuditPage>;
