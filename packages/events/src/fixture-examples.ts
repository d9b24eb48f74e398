// A few of the real provider fixtures (see each fixtures/SOURCES.md), as the OpenAPI document's examples,
// so the examples are bodies the validators and normalizers are tested on.
import chatsendFailed from './chatsend/fixtures/message-failed.json' with { type: 'json' };
import chatsendReceived from './chatsend/fixtures/message-received-text.json' with { type: 'json' };
import chatsendDelivered from './chatsend/fixtures/message-status-delivered.json' with { type: 'json' };
import chatsendQrRequired from './chatsend/fixtures/session-status-qr-required.json' with { type: 'json' };
import metaMixedBatch from './meta/fixtures/mixed-batch.json' with { type: 'json' };
import metaTextReply from './meta/fixtures/message-text-reply.json' with { type: 'json' };
import metaDelivered from './meta/fixtures/status-delivered.json' with { type: 'json' };
import metaFailed from './meta/fixtures/status-failed.json' with { type: 'json' };

type Examples = Record<string, { summary: string; value: unknown }>;

export const META_BODY_EXAMPLES: Examples = {
  statusDelivered: { summary: 'A `delivered` status', value: metaDelivered },
  statusFailed: { summary: 'A `failed` status with its error', value: metaFailed },
  textReply: { summary: 'An inbound text replying to a message', value: metaTextReply },
  mixedBatch: { summary: 'Statuses and messages in one batch', value: metaMixedBatch },
};

export const CHATSEND_BODY_EXAMPLES: Examples = {
  messageStatus: { summary: '`message.status`', value: chatsendDelivered },
  messageReceived: { summary: '`message.received`', value: chatsendReceived },
  messageFailed: { summary: '`message.failed`', value: chatsendFailed },
  sessionStatus: { summary: '`session.status`', value: chatsendQrRequired },
};

/** The provider message id of the Meta `delivered` fixture, for examples that refer to a sent message. */
export const EXAMPLE_PROVIDER_MESSAGE_ID = metaDelivered.entry[0]!.changes[0]!.value.statuses[0]!.id;
