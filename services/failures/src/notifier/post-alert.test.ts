import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import { loggableUrl, outcomeOfStatus, postAlert } from './post-alert.ts';

const servers: ReturnType<typeof createServer>[] = [];
afterEach(async () => {
  for (const s of servers.splice(0)) await new Promise((resolve) => s.close(resolve));
});

async function receiver(answer: (body: string, headers: Record<string, unknown>) => number | null) {
  const server = createServer((req, res) => {
    let body = '';
    req.on('data', (chunk: Buffer) => (body += chunk.toString()));
    req.on('end', () => {
      const status = answer(body, req.headers);
      if (status === null) return; // never answer
      res.writeHead(status).end();
    });
  });
  servers.push(server);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}/alerts`;
}

describe('alert POST', () => {
  it('2xx is delivered; 408, 429 and 5xx are retried; 3xx and other 4xx are rejected for good', () => {
    expect(outcomeOfStatus(204).outcome).toBe('delivered');
    expect([408, 429, 500, 503].map((s) => outcomeOfStatus(s).outcome)).toEqual([
      'failed',
      'failed',
      'failed',
      'failed',
    ]);
    expect([400, 404, 410].map((s) => outcomeOfStatus(s).outcome)).toEqual([
      'rejected',
      'rejected',
      'rejected',
    ]);
    expect([301, 302, 307, 308].map((s) => outcomeOfStatus(s).outcome)).toEqual([
      'rejected',
      'rejected',
      'rejected',
      'rejected',
    ]);
  });

  it('a URL is logged without its user, password, query or fragment', () => {
    expect(loggableUrl('https://ops:hunter2@hooks.example.test:8443/a/b?token=t#f')).toBe(
      'https://hooks.example.test:8443/a/b',
    );
    expect(loggableUrl('not a url')).toBe('(not a URL)');
  });

  it('sends the body as JSON with the idempotency key', async () => {
    const seen: { body: string; key: unknown; type: unknown }[] = [];
    const url = await receiver((body, headers) => {
      seen.push({ body, key: headers['idempotency-key'], type: headers['content-type'] });
      return 200;
    });
    expect(await postAlert({ url, body: '{"a":1}', idempotencyKey: 'k1', timeoutMs: 2_000 })).toEqual({
      outcome: 'delivered',
      status: 200,
    });
    expect(seen).toEqual([{ body: '{"a":1}', key: 'k1', type: 'application/json' }]);
  });

  it('a user and password in the URL are sent as basic auth, not in the request line', async () => {
    const seen: unknown[] = [];
    const url = await receiver((_body, headers) => {
      seen.push(headers['authorization']);
      return 204;
    });
    const withUser = url.replace('http://', 'http://ops:p%40ss@');
    expect(
      (await postAlert({ url: withUser, body: '{}', idempotencyKey: 'k', timeoutMs: 2_000 })).outcome,
    ).toBe('delivered');
    expect(seen).toEqual([`Basic ${Buffer.from('ops:p@ss').toString('base64')}`]);
  });

  it('a receiver that does not answer in time is a failure to retry', async () => {
    const url = await receiver(() => null);
    const result = await postAlert({ url, body: '{}', idempotencyKey: 'k', timeoutMs: 200 });
    expect(result).toMatchObject({ outcome: 'failed', status: null, reason: 'no answer within 200 ms' });
  });

  it('a closed port is a failure to retry', async () => {
    const url = await receiver(() => 200);
    await new Promise((resolve) => servers.pop()!.close(resolve));
    expect((await postAlert({ url, body: '{}', idempotencyKey: 'k', timeoutMs: 1_000 })).outcome).toBe(
      'failed',
    );
  });
});
