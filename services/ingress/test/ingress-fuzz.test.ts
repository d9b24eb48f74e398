// Random bodies and headers, signed and unsigned, must never produce a 5xx or take the process down.
import fc from 'fast-check';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { testBrokers, uniqueName } from '../../../test/harness/kafka.ts';
import {
  CHATSEND_SECRET,
  META_SECRET,
  auth,
  chatsendHeaders,
  metaHeaders,
  startTestIngress,
} from '../../../test/support/ingress.ts';

let ingress: Awaited<ReturnType<typeof startTestIngress>>;

beforeAll(async () => {
  ingress = await startTestIngress(testBrokers(), uniqueName('fuzz'));
  for (const [id, provider, secret] of [
    ['m', 'meta', META_SECRET],
    ['c', 'chatsend', CHATSEND_SECRET],
  ] as const) {
    const res = await ingress.request(`/v1/sessions/${id}`, {
      method: 'PUT',
      headers: { ...auth, 'content-type': 'application/json' },
      body: JSON.stringify({ provider, enableWebhook: true, secret }),
    });
    expect(res.status).toBe(200);
  }
});
afterAll(async () => {
  await ingress?.stop();
});

const jsonish = fc.oneof(
  fc.json(),
  fc.jsonValue().map((v) =>
    JSON.stringify({
      object: 'whatsapp_business_account',
      entry: [{ id: '1', changes: [{ field: 'messages', value: v }] }],
    }),
  ),
  fc.jsonValue().map((v) =>
    JSON.stringify({
      id: 'evt_1',
      type: 'message.status',
      sessionId: 'c',
      timestamp: '2026-01-01T00:00:00Z',
      data: v,
    }),
  ),
  fc.string(),
);
const headerValue = fc.string({ maxLength: 80 }).filter((s) => /^[\x20-\x7e]*$/.test(s));

it('random webhooks never get a 5xx', async () => {
  await fc.assert(
    fc.asyncProperty(
      jsonish,
      fc.constantFrom('meta/m', 'chatsend/c', 'meta/c', 'meta/unknown'),
      fc.constantFrom('signed', 'unsigned', 'garbage'),
      fc.constantFrom('application/json', 'application/json; charset=utf-8', 'text/plain', ''),
      headerValue,
      async (body, route, signing, contentType, junk) => {
        const signed = route.startsWith('meta') ? metaHeaders(body) : chatsendHeaders(body);
        const headers: Record<string, string> =
          signing === 'signed'
            ? { ...signed }
            : signing === 'garbage'
              ? {
                  'x-hub-signature-256': junk,
                  'webhook-id': junk,
                  'webhook-timestamp': junk,
                  'webhook-signature': junk,
                }
              : {};
        if (contentType) headers['content-type'] = contentType;
        else delete headers['content-type'];
        const res = await ingress.request(`/webhooks/${route}`, { method: 'POST', headers, body });
        expect(res.status).toBeLessThan(500);
        const answer = (await res.json()) as { received?: number; error?: { code: string; message: string } };
        if (res.status === 200) expect(answer.received).toBeGreaterThanOrEqual(0);
        else expect(answer.error?.code).toMatch(/^[a-z_]+$/);
      },
    ),
    { numRuns: 400 },
  );
});
