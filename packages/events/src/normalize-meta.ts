// Meta webhook body → normalized events. Walks the envelope by hand (so a broken part costs only that
// part), and reads each status, message and error with its zod schema.
import { inboundEventId, statusEventId } from './event-id.ts';
import {
  META_MESSAGES_FIELD,
  META_MESSAGE_TYPES,
  META_STATUSES,
  META_VALUE_KNOWN_KEYS,
  MetaContact,
  MetaError,
  MetaMessage,
  MetaStatus,
} from './meta/schema.ts';
import {
  describeIssue,
  failureEvent,
  unixToIso,
  unknownEvent,
  type NormalizeContext,
} from './normalize-support.ts';
import { readMessageContent } from './meta/message-content.ts';
import type { DeliveryStatusValue } from './types.ts';
import { isObject, type JsonObject } from './validate-support.ts';

const STATUSES = new Set<string>(META_STATUSES);
const MESSAGE_TYPES = new Set<string>(META_MESSAGE_TYPES);
const KNOWN_VALUE_KEYS = new Set(META_VALUE_KNOWN_KEYS);

export function normalizeMetaBody(ctx: NormalizeContext, json: unknown): void {
  if (!isObject(json) || json['object'] !== 'whatsapp_business_account' || !Array.isArray(json['entry'])) {
    ctx.problem('', 'body is not a Meta webhook envelope (object "whatsapp_business_account" with entry[])');
    ctx.emit(unknownEvent(ctx, 'body', '', json));
    return;
  }
  const entries = json['entry'];
  for (let e = 0; e < entries.length; e++) {
    const entry: unknown = entries[e];
    const entryPath = `entry[${e}]`;
    if (!isObject(entry) || !Array.isArray(entry['changes'])) {
      ctx.problem(entryPath, 'expected an object with changes[]');
      ctx.emit(unknownEvent(ctx, 'invalid:entry', entryPath, entry));
      continue;
    }
    const changes = entry['changes'];
    for (let c = 0; c < changes.length; c++) {
      const change: unknown = changes[c];
      const changePath = `${entryPath}.changes[${c}]`;
      ctx.guard(changePath, change, () => normalizeChange(ctx, change, changePath));
    }
  }
}

function normalizeChange(ctx: NormalizeContext, change: unknown, path: string): void {
  if (!isObject(change)) {
    ctx.problem(path, 'expected an object');
    ctx.emit(unknownEvent(ctx, 'invalid:change', path, change));
    return;
  }
  const field = change['field'];
  if (field !== META_MESSAGES_FIELD) {
    // Another webhook field (calls, account updates, template reviews …): one unknown item per change.
    ctx.emit(unknownEvent(ctx, `field:${typeof field === 'string' ? field : '?'}`, path, change));
    return;
  }
  const value = change['value'];
  const valuePath = `${path}.value`;
  if (!isObject(value)) {
    ctx.problem(valuePath, 'expected an object');
    ctx.emit(unknownEvent(ctx, 'invalid:change', path, change));
    return;
  }
  const contacts = readContacts(value['contacts']);
  eachItem(ctx, value, 'statuses', valuePath, (item, itemPath) => normalizeStatus(ctx, item, itemPath));
  eachItem(ctx, value, 'messages', valuePath, (item, itemPath) =>
    normalizeMessage(ctx, item, itemPath, contacts),
  );
  eachItem(ctx, value, 'errors', valuePath, (item, itemPath) => normalizeEnvelopeError(ctx, item, itemPath));
  for (const key of Object.keys(value)) {
    if (KNOWN_VALUE_KEYS.has(key)) continue;
    const extra = value[key];
    if (!Array.isArray(extra)) continue;
    // An array this version does not read (user_preferences, groups, …): each element is an unknown item.
    extra.forEach((item: unknown, i) =>
      ctx.emit(unknownEvent(ctx, `value:${key}`, `${valuePath}.${key}[${i}]`, item)),
    );
  }
}

function eachItem(
  ctx: NormalizeContext,
  value: JsonObject,
  key: 'statuses' | 'messages' | 'errors',
  valuePath: string,
  normalize: (item: unknown, itemPath: string) => void,
): void {
  const items = value[key];
  if (items === undefined) return;
  if (!Array.isArray(items)) {
    ctx.problem(`${valuePath}.${key}`, 'expected an array');
    ctx.emit(unknownEvent(ctx, `invalid:${key}`, `${valuePath}.${key}`, items));
    return;
  }
  for (let i = 0; i < items.length; i++) {
    const item: unknown = items[i];
    const itemPath = `${valuePath}.${key}[${i}]`;
    ctx.guard(itemPath, item, () => normalize(item, itemPath));
  }
}

const isText = (v: unknown) => v === undefined || typeof v === 'string';
const isPlainObject = (v: unknown): v is Record<string, unknown> =>
  typeof v === 'object' && v !== null && !Array.isArray(v);
const statusTextFields = [
  'recipient_id',
  'recipient_user_id',
  'parent_recipient_user_id',
  'recipient_type',
  'recipient_participant_id',
  'recipient_participant_user_id',
  'biz_opaque_callback_data',
] as const;

/**
 * The status as MetaStatus would parse it, without zod, when it has the everyday shape: every field
 * MetaStatus reads present with its documented type or absent, and no errors array. Then zod's result
 * equals the item field for field, so the item is used as it is. Anything else returns null and goes
 * through zod. Statuses are most of the traffic, and zod's parse was most of their normalizing time.
 */
export function plainStatus(item: unknown): MetaStatus | null {
  if (!isPlainObject(item)) return null;
  const { id, status, timestamp, pricing, conversation } = item;
  if (typeof id !== 'string' || id.length === 0 || typeof status !== 'string') return null;
  if (typeof timestamp !== 'string' && typeof timestamp !== 'number') return null;
  if (item['errors'] !== undefined) return null;
  for (const field of statusTextFields) if (!isText(item[field])) return null;
  if (pricing !== undefined) {
    if (!isPlainObject(pricing)) return null;
    if (pricing['billable'] !== undefined && typeof pricing['billable'] !== 'boolean') return null;
    if (!isText(pricing['pricing_model']) || !isText(pricing['category']) || !isText(pricing['type']))
      return null;
  }
  if (conversation !== undefined) {
    if (!isPlainObject(conversation) || !isText(conversation['id'])) return null;
    const expires = conversation['expiration_timestamp'];
    if (expires !== undefined && typeof expires !== 'string' && typeof expires !== 'number') return null;
    const origin = conversation['origin'];
    if (origin !== undefined && !(isPlainObject(origin) && isText(origin['type']))) return null;
  }
  return item as MetaStatus;
}

function normalizeStatus(ctx: NormalizeContext, item: unknown, path: string): void {
  let s = plainStatus(item);
  if (!s) {
    const parsed = MetaStatus.safeParse(item);
    if (!parsed.success) {
      ctx.problem(path, `status not understood (${describeIssue(parsed.error.issues)})`);
      ctx.emit(unknownEvent(ctx, 'invalid:status', path, item));
      return;
    }
    s = parsed.data;
  }
  if (!STATUSES.has(s.status)) {
    ctx.emit(unknownEvent(ctx, `status:${s.status}`, path, item));
    return;
  }
  const status = s.status as DeliveryStatusValue;
  const occurredAt = unixToIso(ctx, s.timestamp, `${path}.timestamp`);
  const recipient = s.recipient_id ?? s.recipient_user_id ?? '';
  const groupParticipant = s.recipient_participant_id ?? s.recipient_participant_user_id ?? null;
  ctx.emit({
    kind: 'status',
    eventId: statusEventId({
      provider: ctx.provider,
      sessionId: ctx.sessionId,
      providerMessageId: s.id,
      status,
      groupParticipant,
    }),
    sessionId: ctx.sessionId,
    provider: ctx.provider,
    occurredAt,
    receivedAt: ctx.receivedAt,
    requestId: ctx.requestId,
    providerMessageId: s.id,
    recipient,
    status,
    groupParticipant,
    pricingCategory: s.pricing?.category ?? null,
    billable: s.pricing?.billable ?? null,
    conversationId: s.conversation?.id ?? null,
    conversationCategory: s.conversation?.origin?.type ?? null,
    bizOpaqueCallbackData: s.biz_opaque_callback_data ?? null,
  });
  if (status !== 'failed') return;
  const errors = s.errors ?? [];
  if (errors.length === 0) {
    ctx.emit(
      failureEvent(ctx, {
        providerMessageId: s.id,
        recipient,
        code: 'unknown',
        providerTitle: null,
        details: 'failed status carried no errors',
        source: 'status',
        occurredAt,
        content: null,
      }),
    );
  }
  for (const error of errors) {
    ctx.emit(
      failureEvent(ctx, {
        ...fromMetaError(error),
        providerMessageId: s.id,
        recipient,
        source: 'status',
        occurredAt,
      }),
    );
  }
}

function normalizeMessage(ctx: NormalizeContext, item: unknown, path: string, contacts: Contacts): void {
  const parsed = MetaMessage.safeParse(item);
  if (!parsed.success) {
    ctx.problem(path, `message not understood (${describeIssue(parsed.error.issues)})`);
    ctx.emit(unknownEvent(ctx, 'invalid:message', path, item));
    return;
  }
  const m = parsed.data;
  if (!MESSAGE_TYPES.has(m.type)) {
    ctx.emit(unknownEvent(ctx, `message:${m.type}`, path, item));
    return;
  }
  const occurredAt = unixToIso(ctx, m.timestamp, `${path}.timestamp`);
  const from = m.from ?? m.from_user_id ?? '';
  const { text, payload } = readMessageContent(m);
  ctx.emit({
    kind: 'inbound',
    eventId: inboundEventId({ provider: ctx.provider, sessionId: ctx.sessionId, providerMessageId: m.id }),
    sessionId: ctx.sessionId,
    provider: ctx.provider,
    occurredAt,
    receivedAt: ctx.receivedAt,
    requestId: ctx.requestId,
    providerMessageId: m.id,
    from,
    contactName: contacts.nameOf(m.from, m.from_user_id),
    type: m.type,
    text,
    payload,
    replyToProviderMessageId: m.context?.id ?? null,
    reactionToProviderMessageId: m.type === 'reaction' ? (m.reaction?.message_id ?? null) : null,
    forwarded: m.context?.forwarded === true || m.context?.frequently_forwarded === true,
  });
  for (const error of m.errors ?? []) {
    ctx.emit(
      failureEvent(ctx, {
        ...fromMetaError(error),
        providerMessageId: m.id,
        recipient: null,
        source: 'message',
        occurredAt,
      }),
    );
  }
}

function normalizeEnvelopeError(ctx: NormalizeContext, item: unknown, path: string): void {
  const parsed = MetaError.safeParse(item);
  if (!parsed.success) {
    ctx.problem(path, `error not understood (${describeIssue(parsed.error.issues)})`);
    ctx.emit(unknownEvent(ctx, 'invalid:error', path, item));
    return;
  }
  // No timestamp and no message: the error is identified by its content, and happened when it arrived.
  ctx.emit(
    failureEvent(ctx, {
      ...fromMetaError(parsed.data),
      providerMessageId: null,
      recipient: null,
      source: 'envelope',
      occurredAt: ctx.receivedAt,
      content: item,
    }),
  );
}

function fromMetaError(error: MetaError): {
  code: string;
  providerTitle: string | null;
  details: string | null;
  content: unknown;
} {
  return {
    code: typeof error.code === 'number' ? String(error.code) : error.code,
    providerTitle: error.title ?? error.message ?? null,
    details: error.error_data?.details ?? error.message ?? error.title ?? null,
    content: null,
  };
}

interface Contacts {
  nameOf(from: string | undefined, fromUserId: string | undefined): string | null;
}

/** `value.contacts` profiles, looked up by phone number (wa_id) or business-scoped user id. */
function readContacts(raw: unknown): Contacts {
  const byId = new Map<string, string>();
  if (Array.isArray(raw)) {
    for (const item of raw) {
      const parsed = MetaContact.safeParse(item);
      const name = parsed.success ? parsed.data.profile?.name : undefined;
      if (!parsed.success || name === undefined) continue;
      if (parsed.data.wa_id !== undefined) byId.set(`wa:${parsed.data.wa_id}`, name);
      if (parsed.data.user_id !== undefined) byId.set(`user:${parsed.data.user_id}`, name);
    }
  }
  return {
    nameOf: (from, fromUserId) =>
      (from !== undefined ? byId.get(`wa:${from}`) : undefined) ??
      (fromUserId !== undefined ? byId.get(`user:${fromUserId}`) : undefined) ??
      null,
  };
}
