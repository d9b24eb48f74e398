import { describe, expect, it } from 'vitest';
import { normalizeRecord, validateChatSendBody, validateMetaBody } from '@wapipe/events';
import type { NormalizedEvent } from '@wapipe/events';
import { newProviderMessageId, sampleWebhook } from './samples.ts';
import { SESSION_EVENTS, TRIGGER_EVENTS } from './trigger-events.ts';
import type { SampleProvider, TriggerEvent } from './trigger-events.ts';

/** What each trigger event must normalize to: the event kinds and their main value. */
const EXPECTED: Record<TriggerEvent, string[]> = {
  sent: ['status:sent'],
  delivered: ['status:delivered'],
  read: ['status:read'],
  played: ['status:played'],
  failed: ['status:failed', 'failure:131049'],
  reply: ['inbound:text'],
  button: ['inbound:button'],
  reaction: ['inbound:reaction'],
  'qr-required': ['session:QR_REQUIRED', 'failure:'],
  disconnected: ['session:ERROR', 'failure:'],
  connected: ['session:CONNECTED'],
};

const describeEvent = (e: NormalizedEvent): string => {
  if (e.kind === 'status') return `status:${e.status}`;
  if (e.kind === 'inbound') return `inbound:${e.type}`;
  if (e.kind === 'failure') return e.code === '131049' ? 'failure:131049' : 'failure:';
  if (e.kind === 'session') return `session:${e.status}`;
  return e.kind;
};

function normalize(provider: SampleProvider, body: string) {
  return normalizeRecord({
    meta: {
      version: 'raw.v1',
      kind: 'webhook',
      provider,
      sessionId: 's1',
      requestId: 'req_1',
      receivedAt: new Date().toISOString(),
      contentType: 'application/json',
      ingressVersion: '0.1.0',
    },
    body: Buffer.from(body),
  });
}

describe('trigger samples', () => {
  for (const provider of ['meta', 'chatsend'] as const) {
    for (const event of TRIGGER_EVENTS) {
      if (provider === 'meta' && SESSION_EVENTS.includes(event)) continue;
      it(`a ${provider} ${event} passes the ingress's shape check and normalizes to what it says`, () => {
        const recipient = '16505551234';
        const providerMessageId = newProviderMessageId(provider, recipient);
        const sample = sampleWebhook(event, {
          provider,
          sessionId: 's1',
          providerMessageId,
          recipient,
          at: new Date(),
          code: '131049',
        });
        const json: unknown = JSON.parse(sample.body);
        expect((provider === 'meta' ? validateMetaBody : validateChatSendBody)(json)).toMatchObject({
          ok: true,
        });
        const { events, problems } = normalize(provider, sample.body);
        expect(problems).toEqual([]);
        expect(events.map(describeEvent).sort()).toEqual([...EXPECTED[event]].sort());
        for (const e of events) {
          if (!SESSION_EVENTS.includes(event) && (e.kind === 'status' || e.kind === 'failure'))
            expect(e).toMatchObject({ providerMessageId });
        }
      });
    }
  }

  it('a Meta session state is refused: Meta reports none', () => {
    const options = {
      provider: 'meta' as const,
      sessionId: 's',
      providerMessageId: 'wamid.x',
      recipient: '1',
      at: new Date(),
    };
    expect(() => sampleWebhook('qr-required', options)).toThrow(/only ChatSend/);
  });
});
