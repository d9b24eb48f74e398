// @wapipe/events: the event model the ingress and the three consumers share.

// Normalized events
export { normalizeRecord } from './normalize.ts';
export { DELIVERY_STATUSES, EVENT_KINDS, FAILURE_SOURCES, PROVIDERS } from './types.ts';
export { MESSAGE_STATUSES, messageStatus, messageStatusFrom } from './message-status.ts';
export type { MessageStatus } from './message-status.ts';
export type {
  DeliveryStatus,
  DeliveryStatusValue,
  EventBase,
  EventKind,
  Failure,
  FailureSource,
  InboundMessage,
  NormalizeResult,
  NormalizedEvent,
  Provider,
  Registration,
  SessionState,
  UnknownEvent,
  ValidationResult,
} from './types.ts';

// Analytics dimensions
export { DIMENSIONS, contactKey, messageCategory, recipientCountry } from './dimensions.ts';
export type { Dimension } from './dimensions.ts';
export { cohortMinute, cohortTime, earlierPricing } from './cohort.ts';
export type { ReportedPricing } from './cohort.ts';

// Event identity
export {
  canonicalJson,
  contentEventId,
  eventIdFromParts,
  failureEventId,
  inboundEventId,
  registrationEventId,
  statusEventId,
} from './event-id.ts';
export type { StatusIdentity } from './event-id.ts';

// Alerts
export { ALERT_KINDS, ALERT_SEVERITIES, ALERT_SEVERITY } from './alert-kinds.ts';
export type { AlertKind, AlertSeverity } from './alert-kinds.ts';

// Failure classification
export {
  FAILURE_CATEGORIES,
  FAILURE_CODE_TABLE,
  RETRY_ADVICE,
  classifyFailure,
  isKnownFailureCode,
} from './failure-codes.ts';
export type { FailureCategory, FailureClassification, FailureCodeRow, RetryAdvice } from './failure-codes.ts';

// Raw records (Kafka) and registrations
export {
  RAW_RECORD_HEADERS,
  RAW_RECORD_VERSION,
  RawRecordMeta,
  rawKafkaRecord,
  rawRecordHeaders,
  readRawRecord,
} from './raw-record.ts';
export type { KafkaHeaders, RawKafkaRecord, RawRecord } from './raw-record.ts';
export { OutboundRegistration } from './registration.ts';
export { EVENT_ERROR_CODES, EventError } from './errors.ts';
export type { EventErrorCode } from './errors.ts';

// Provider bodies: ingress shape checks and schemas
export { validateMetaBody } from './meta/validate.ts';
export { metaEnvelope } from './meta/envelope.ts';
export {
  META_MESSAGE_TYPES,
  META_STATUSES,
  MetaChange,
  MetaContact,
  MetaError,
  MetaMessage,
  MetaMessagesValue,
  MetaStatus,
  MetaWebhookBody,
} from './meta/schema.ts';
export { validateChatSendBody } from './chatsend/validate.ts';
export {
  CHATSEND_EVENT_TYPES,
  ChatSendEnvelope,
  ChatSendEvent,
  ChatSendMessageFailedData,
  ChatSendMessageReceivedData,
  ChatSendMessageStatusData,
  ChatSendSessionStatusData,
} from './chatsend/schema.ts';
export type { ChatSendEventType } from './chatsend/schema.ts';

// Audit entries (operator actions)
export {
  AUDIT_ACTIONS,
  AuditEntry,
  auditEntry,
  auditKafkaRecord,
  bearerFingerprint,
  keyFingerprint,
} from './audit-entry.ts';
export type { AuditAction } from './audit-entry.ts';

// Real fixtures as documentation examples
export {
  CHATSEND_BODY_EXAMPLES,
  EXAMPLE_PROVIDER_MESSAGE_ID,
  META_BODY_EXAMPLES,
} from './fixture-examples.ts';
