// Fast shape check of a Meta webhook body for the ingress: is this Meta's envelope, does every status,
// message and error carry its identity fields, and how many events does it hold. It checks exactly what
// the strict parts of MetaWebhookBody check (a property test holds the two together), by hand, because
// it runs for every request before the body is made durable.
import type { ValidationResult } from '../types.ts';
import {
  ShapeProblem,
  optionalArray,
  requireArray,
  requireNonEmptyString,
  requireObject,
  requireString,
  requireStringOrNumber,
  type JsonObject,
} from '../validate-support.ts';
import { META_MESSAGES_FIELD, META_VALUE_KNOWN_KEYS } from './schema.ts';

const KNOWN_VALUE_KEYS = new Set(META_VALUE_KNOWN_KEYS);

/**
 * `events` counts statuses + messages + envelope errors + unknown items (a change of another field, an
 * array this version does not read). A body with the right envelope and no events is ok with 0.
 */
export function validateMetaBody(json: unknown): ValidationResult {
  try {
    return { ok: true, events: walkBody(json) };
  } catch (problem) {
    if (problem instanceof ShapeProblem) return { ok: false, message: problem.message };
    throw problem;
  }
}

function walkBody(json: unknown): number {
  const body = requireObject(json, 'body');
  if (body['object'] !== 'whatsapp_business_account') {
    throw new ShapeProblem('object', '"whatsapp_business_account"');
  }
  const entries = requireArray(body['entry'], 'entry');
  let events = 0;
  for (let e = 0; e < entries.length; e++) {
    const entryPath = `entry[${e}]`;
    const entry = requireObject(entries[e], entryPath);
    requireString(entry['id'], `${entryPath}.id`);
    const changes = requireArray(entry['changes'], `${entryPath}.changes`);
    for (let c = 0; c < changes.length; c++) {
      const changePath = `${entryPath}.changes[${c}]`;
      const change = requireObject(changes[c], changePath);
      const field = requireString(change['field'], `${changePath}.field`);
      events += field === META_MESSAGES_FIELD ? walkMessagesValue(change['value'], `${changePath}.value`) : 1;
    }
  }
  return events;
}

function walkMessagesValue(raw: unknown, path: string): number {
  const value = requireObject(raw, path);
  let events = 0;
  const statuses = optionalArray(value['statuses'], `${path}.statuses`);
  if (statuses) {
    for (let i = 0; i < statuses.length; i++) {
      const itemPath = `${path}.statuses[${i}]`;
      const status = requireObject(statuses[i], itemPath);
      requireNonEmptyString(status['id'], `${itemPath}.id`);
      requireString(status['status'], `${itemPath}.status`);
      requireStringOrNumber(status['timestamp'], `${itemPath}.timestamp`);
      walkErrors(status, `${itemPath}.errors`);
    }
    events += statuses.length;
  }
  const messages = optionalArray(value['messages'], `${path}.messages`);
  if (messages) {
    for (let i = 0; i < messages.length; i++) {
      const itemPath = `${path}.messages[${i}]`;
      const message = requireObject(messages[i], itemPath);
      requireNonEmptyString(message['id'], `${itemPath}.id`);
      requireString(message['type'], `${itemPath}.type`);
      requireStringOrNumber(message['timestamp'], `${itemPath}.timestamp`);
      walkErrors(message, `${itemPath}.errors`);
    }
    events += messages.length;
  }
  events += walkErrors(value, `${path}.errors`);
  for (const key in value) {
    if (KNOWN_VALUE_KEYS.has(key)) continue;
    const extra = value[key];
    if (Array.isArray(extra)) events += extra.length;
  }
  return events;
}

function walkErrors(owner: JsonObject, path: string): number {
  const errors = optionalArray(owner['errors'], path);
  if (!errors) return 0;
  for (let i = 0; i < errors.length; i++) {
    const error = requireObject(errors[i], `${path}[${i}]`);
    requireStringOrNumber(error['code'], `${path}[${i}].code`);
  }
  return errors.length;
}
