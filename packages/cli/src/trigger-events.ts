// The events `wapipe trigger` can send; a module of its own so that --help loads nothing else.
export const TRIGGER_EVENTS = [
  'sent',
  'delivered',
  'read',
  'played',
  'failed',
  'reply',
  'button',
  'reaction',
  'qr-required',
  'disconnected',
  'connected',
] as const;
export type TriggerEvent = (typeof TRIGGER_EVENTS)[number];
export type SampleProvider = 'meta' | 'chatsend';

/** Events about the session, not a message: only ChatSend reports them. */
export const SESSION_EVENTS: readonly TriggerEvent[] = ['qr-required', 'disconnected', 'connected'];
