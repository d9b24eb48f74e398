import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { requestIdMiddleware, requestIdOf } from './request-id.ts';

function app() {
  const root = new Hono();
  root.use('*', requestIdMiddleware());
  root.use('*', requestIdMiddleware()); // mounted twice (a service app inside the all-in-one): one id
  root.get('/', (c) => c.json({ seen: requestIdOf(c) }));
  return root;
}

const idOf = async (headers: Record<string, string>) => {
  const res = await app().request('/', { headers });
  const { seen } = (await res.json()) as { seen: string };
  expect(res.headers.get('x-request-id')).toBe(seen);
  return seen;
};

describe('request ids', () => {
  it('keep the caller’s X-Request-Id and echo it', async () => {
    expect(await idOf({ 'x-request-id': 'req-42.a_b' })).toBe('req-42.a_b');
  });

  it('take the trace id of a traceparent when there is no X-Request-Id', async () => {
    expect(await idOf({ traceparent: '00-4bf92f3577b34da6a3ce929d0e0e4736-00f067aa0ba902b7-01' })).toBe(
      '4bf92f3577b34da6a3ce929d0e0e4736',
    );
  });

  it('take a Standard Webhooks webhook-id next', async () => {
    expect(await idOf({ 'webhook-id': 'msg_2b9' })).toBe('msg_2b9');
  });

  it('make one when none is given or the given one is not safe to log', async () => {
    const uuid = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
    expect(await idOf({})).toMatch(uuid);
    expect(await idOf({ 'x-request-id': 'a b\u001b[31m' })).toMatch(uuid);
    expect(await idOf({ 'x-request-id': 'x'.repeat(129) })).toMatch(uuid);
    expect(await idOf({ traceparent: '00-00000000000000000000000000000000-00f067aa0ba902b7-01' })).toMatch(
      uuid,
    );
  });
});
