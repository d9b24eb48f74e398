// Reads a request body with a byte limit enforced on the stream and a deadline for slow senders, so no
// request can make us buffer past the limit or hold a connection forever.
import type { IncomingMessage } from 'node:http';
import type { Context } from 'hono';
import { HttpError } from '@wapipe/http';

export interface BodyLimits {
  maxBytes: number;
  timeoutMs: number;
}

export async function readBody(c: Context, limits: BodyLimits): Promise<Buffer> {
  const declared = Number(c.req.header('content-length') ?? NaN);
  if (Number.isFinite(declared) && declared > limits.maxBytes) throw tooLarge(limits.maxBytes);
  // Served by @hono/node-server, the Node request is at hand: reading it directly skips the web-stream
  // adapter, which costs more than everything else the intake does. app.request() (tests) has no socket.
  const incoming = (c.env as { incoming?: IncomingMessage } | undefined)?.incoming;
  if (incoming && typeof incoming.on === 'function') return readNodeBody(incoming, limits);
  return readWebBody(c.req.raw, limits);
}

function readNodeBody(incoming: IncomingMessage, limits: BodyLimits): Promise<Buffer> {
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    let total = 0;
    const finish = (error: Error | null) => {
      clearTimeout(timer);
      incoming.off('data', onData).off('end', onEnd).off('error', onError).off('aborted', onAborted);
      if (error) reject(error);
      else resolve(chunks.length === 1 ? chunks[0]! : Buffer.concat(chunks, total));
    };
    const onData = (chunk: Buffer) => {
      total += chunk.length;
      if (total > limits.maxBytes) finish(tooLarge(limits.maxBytes));
      else chunks.push(chunk);
    };
    const onEnd = () => finish(null);
    const onError = () => finish(new HttpError(400, 'bad_request', 'the body could not be read'));
    const onAborted = () => finish(new HttpError(400, 'bad_request', 'the sender aborted the body'));
    const timer = setTimeout(
      () =>
        finish(new HttpError(408, 'body_timeout', `the body did not arrive within ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
    incoming.on('data', onData).on('end', onEnd).on('error', onError).on('aborted', onAborted);
  });
}

async function readWebBody(request: Request, limits: BodyLimits): Promise<Buffer> {
  if (!request.body) return Buffer.alloc(0);

  const reader = request.body.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(
      () =>
        reject(new HttpError(408, 'body_timeout', `the body did not arrive within ${limits.timeoutMs} ms`)),
      limits.timeoutMs,
    );
  });
  try {
    for (;;) {
      const { done, value } = await Promise.race([reader.read(), deadline]);
      if (done) break;
      total += value.byteLength;
      if (total > limits.maxBytes) throw tooLarge(limits.maxBytes);
      chunks.push(value);
    }
  } catch (error) {
    // Not reader.cancel(): that destroys the socket before the answer is written. The sender gets the
    // error and a closed connection (see the Connection: close set by the error handler).
    reader.releaseLock();
    throw error;
  } finally {
    clearTimeout(timer);
  }
  return Buffer.concat(chunks, total);
}

const tooLarge = (maxBytes: number) =>
  new HttpError(413, 'payload_too_large', `the body is over the limit of ${maxBytes} bytes`);

/** Webhook bodies must be JSON; a charset parameter is fine. */
export function requireJson(contentType: string | undefined): string {
  const type = (contentType ?? '').split(';')[0]!.trim().toLowerCase();
  if (type !== 'application/json' && !/^application\/[a-z0-9.+-]+\+json$/.test(type)) {
    throw new HttpError(
      415,
      'unsupported_media_type',
      contentType
        ? `expected Content-Type application/json, got ${type || 'none'}`
        : 'Content-Type is missing; expected application/json',
    );
  }
  return contentType!;
}

// Fatal: Buffer#toString would turn invalid bytes into U+FFFD and let a broken body through as JSON.
// ignoreBOM keeps a BOM in the text, so JSON.parse refuses it as before (consumers parse the same bytes).
const strictUtf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

export function parseJson(body: Buffer): unknown {
  let text: string;
  try {
    text = strictUtf8.decode(body);
  } catch {
    throw new HttpError(400, 'bad_json', 'the body is not valid UTF-8, so it is not valid JSON');
  }
  try {
    return JSON.parse(text);
  } catch (error) {
    throw new HttpError(400, 'bad_json', `the body is not valid JSON: ${(error as Error).message}`);
  }
}
