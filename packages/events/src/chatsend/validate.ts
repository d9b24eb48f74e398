// Fast shape check of a ChatSend event for the ingress; checks exactly what the strict parts of
// ChatSendEvent check. One request is one event, whatever its type.
import type { ValidationResult } from '../types.ts';
import {
  ShapeProblem,
  requireNonEmptyString,
  requireObject,
  requireString,
  requireStringOrNumber,
} from '../validate-support.ts';

export function validateChatSendBody(json: unknown): ValidationResult {
  try {
    walkEvent(json);
    return { ok: true, events: 1 };
  } catch (problem) {
    if (problem instanceof ShapeProblem) return { ok: false, message: problem.message };
    throw problem;
  }
}

function walkEvent(json: unknown): void {
  const event = requireObject(json, 'body');
  requireNonEmptyString(event['id'], 'id');
  const type = requireString(event['type'], 'type');
  requireNonEmptyString(event['sessionId'], 'sessionId');
  requireString(event['timestamp'], 'timestamp');
  switch (type) {
    case 'message.status': {
      const data = requireObject(event['data'], 'data');
      requireNonEmptyString(data['messageId'], 'data.messageId');
      requireString(data['recipient'], 'data.recipient');
      requireString(data['status'], 'data.status');
      return;
    }
    case 'message.received': {
      const data = requireObject(event['data'], 'data');
      requireNonEmptyString(data['messageId'], 'data.messageId');
      requireString(data['from'], 'data.from');
      requireString(data['type'], 'data.type');
      return;
    }
    case 'message.failed': {
      const data = requireObject(event['data'], 'data');
      requireNonEmptyString(data['messageId'], 'data.messageId');
      requireString(data['recipient'], 'data.recipient');
      const error = requireObject(data['error'], 'data.error');
      requireStringOrNumber(error['code'], 'data.error.code');
      return;
    }
    case 'session.status': {
      const data = requireObject(event['data'], 'data');
      requireString(data['status'], 'data.status');
      return;
    }
    default:
      // A type this version does not know: accepted, counted, kept raw.
      return;
  }
}
