import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { answerUnmatchedAsJson } from './unmatched.ts';

function servedApp() {
  const sub = new Hono();
  sub.use('*', async (_c, next) => next());
  sub.get('/v1/sessions/:sessionId', (c) => c.text('get'));
  sub.put('/v1/sessions/:sessionId', (c) => c.text('put'));
  sub.post('/v1/messages', (c) => c.text('post'));
  const root = new Hono();
  root.route('/', sub);
  answerUnmatchedAsJson(root);
  return root;
}

describe('unmatched requests', () => {
  it('answer 404 in the error shape when no route has the path', async () => {
    const res = await servedApp().request('/v1/nothing');
    expect(res.status).toBe(404);
    expect(res.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ error: { code: 'not_found', message: 'no route GET /v1/nothing' } });
  });

  it('answer 405 with Allow when the path is served under other methods', async () => {
    const app = servedApp();
    const wrong = await app.request('/v1/messages');
    expect(wrong.status).toBe(405);
    expect(wrong.headers.get('allow')).toBe('POST');
    expect(await wrong.json()).toEqual({
      error: { code: 'method_not_allowed', message: 'GET is not served on /v1/messages; use POST' },
    });
    const del = await app.request('/v1/sessions/s1', { method: 'DELETE' });
    expect(del.status).toBe(405);
    expect(del.headers.get('allow')).toBe('GET, HEAD, PUT');
  });

  it('leave served routes alone', async () => {
    expect(await (await servedApp().request('/v1/sessions/s1', { method: 'PUT' })).text()).toBe('put');
  });
});
