import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { HttpError, sendError } from './errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Bearer-token auth against API_KEYS. Keys are compared as digests in constant time. */
export function requireApiKey(keys: readonly string[]): MiddlewareHandler {
  const digests = keys.map(digest);
  return async (c, next) => {
    const header = c.req.header('authorization') ?? '';
    const match = /^Bearer\s+(\S+)$/i.exec(header);
    if (!match) {
      return sendError(
        c,
        new HttpError(401, 'unauthorized', 'send an API key as "Authorization: Bearer <key>"'),
      );
    }
    const given = digest(match[1]!);
    let ok = false;
    for (const d of digests) ok = timingSafeEqual(d, given) || ok;
    if (!ok) return sendError(c, new HttpError(401, 'unauthorized', 'the API key is not valid'));
    await next();
    return undefined;
  };
}
