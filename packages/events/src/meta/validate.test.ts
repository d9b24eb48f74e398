import { describe, expect, it } from 'vitest';
import { fixture, fixtureNames } from '../test-support.ts';
import { MetaWebhookBody } from './schema.ts';
import { validateMetaBody } from './validate.ts';

const statusBody = (statuses: unknown[]) => ({
  object: 'whatsapp_business_account',
  entry: [{ id: '1', changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', statuses } }] }],
});
const status = (id: string) => ({ id, status: 'sent', timestamp: '1750857384', recipient_id: '16505551234' });

describe('validateMetaBody', () => {
  it.each(fixtureNames('meta'))('accepts the %s fixture, as does the zod schema', (name) => {
    const body = fixture('meta', name);
    expect(validateMetaBody(body).ok).toBe(true);
    expect(MetaWebhookBody.safeParse(body).success).toBe(true);
  });

  it('counts statuses, messages, envelope errors and unknown items', () => {
    expect(validateMetaBody(fixture('meta', 'mixed-batch.json'))).toEqual({ ok: true, events: 5 });
    expect(validateMetaBody(fixture('meta', 'statuses-batch.json'))).toEqual({ ok: true, events: 4 });
    expect(validateMetaBody(fixture('meta', 'field-calls.json'))).toEqual({ ok: true, events: 1 });
    expect(validateMetaBody(fixture('meta', 'status-unknown-deleted.json'))).toEqual({ ok: true, events: 1 });
  });

  it('accepts the right envelope with no events as zero events', () => {
    expect(validateMetaBody({ object: 'whatsapp_business_account', entry: [] })).toEqual({
      ok: true,
      events: 0,
    });
    expect(validateMetaBody(statusBody([]))).toEqual({ ok: true, events: 0 });
  });

  it('counts each element of an array it does not read as an unknown item', () => {
    const body = statusBody([status('wamid.1')]);
    (body.entry[0]!.changes[0]!.value as Record<string, unknown>)['user_preferences'] = [{}, {}];
    expect(validateMetaBody(body)).toEqual({ ok: true, events: 3 });
  });

  it('names the path of a status without an id', () => {
    const statuses = [status('a'), status('b'), status('c'), { status: 'sent', timestamp: '1' }];
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [
            { field: 'messages', value: {} },
            { field: 'messages', value: { statuses } },
          ],
        },
      ],
    };
    expect(validateMetaBody(body)).toEqual({
      ok: false,
      message: 'entry[0].changes[1].value.statuses[3].id: expected non-empty string',
    });
  });

  it.each([
    [null, 'body: expected object'],
    [[], 'body: expected object'],
    [{ object: 'page', entry: [] }, 'object: expected "whatsapp_business_account"'],
    [{ object: 'whatsapp_business_account', entry: {} }, 'entry: expected array'],
    [{ object: 'whatsapp_business_account', entry: [{ changes: [] }] }, 'entry[0].id: expected string'],
    [{ object: 'whatsapp_business_account', entry: [{ id: '1' }] }, 'entry[0].changes: expected array'],
    [
      { object: 'whatsapp_business_account', entry: [{ id: '1', changes: [{ value: {} }] }] },
      'entry[0].changes[0].field: expected string',
    ],
    [
      {
        object: 'whatsapp_business_account',
        entry: [{ id: '1', changes: [{ field: 'messages', value: 'x' }] }],
      },
      'entry[0].changes[0].value: expected object',
    ],
    [
      statusBody([{ id: 'w', timestamp: '1' }]),
      'entry[0].changes[0].value.statuses[0].status: expected string',
    ],
    [
      statusBody([{ id: 'w', status: 'sent' }]),
      'entry[0].changes[0].value.statuses[0].timestamp: expected string or number',
    ],
    [
      statusBody([{ ...status('w'), status: 'failed', errors: [{ title: 'no code' }] }]),
      'entry[0].changes[0].value.statuses[0].errors[0].code: expected string or number',
    ],
  ])('rejects %j with "%s"', (body, message) => {
    expect(validateMetaBody(body)).toEqual({ ok: false, message });
    expect(MetaWebhookBody.safeParse(body).success).toBe(false);
  });

  it('names the path of a message without a type', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [
        {
          id: '1',
          changes: [{ field: 'messages', value: { messages: [{ id: 'wamid.1', timestamp: '1' }] } }],
        },
      ],
    };
    expect(validateMetaBody(body)).toEqual({
      ok: false,
      message: 'entry[0].changes[0].value.messages[0].type: expected string',
    });
  });

  it('accepts an unknown status string and an unknown message type (they become unknown events)', () => {
    const body = statusBody([{ ...status('w'), status: 'warning' }]);
    expect(validateMetaBody(body)).toEqual({ ok: true, events: 1 });
    const message = fixture('meta', 'message-unknown-type.json');
    expect(validateMetaBody(message)).toEqual({ ok: true, events: 1 });
  });

  it('does not look inside a change of another field', () => {
    const body = {
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'account_update', value: 42 }] }],
    };
    expect(validateMetaBody(body)).toEqual({ ok: true, events: 1 });
  });

  it('tolerates wrong-typed content fields, which read as absent', () => {
    const body = statusBody([{ ...status('w'), pricing: 'free', conversation: [1], recipient_id: 7 }]);
    expect(validateMetaBody(body).ok).toBe(true);
    expect(MetaWebhookBody.safeParse(body).success).toBe(true);
  });
});
