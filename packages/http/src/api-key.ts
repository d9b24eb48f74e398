import { createHash, timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { READ_ONLY_KEY_PREFIX } from '@wapipe/config';
import { HttpError, sendError } from './errors.ts';

const digest = (value: string) => createHash('sha256').update(value).digest();

/** Methods that change nothing; a `read:` key may use only these. */
const READ_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

/**
 * Bearer-token auth against API_KEYS entries (`<key>`, or `read:<key>` for a key that may only read).
 * Keys are compared as digests in constant time, against every entry, so timing tells nothing.
 */
export function requireApiKey(entries: readonly string[]): MiddlewareHandler {
  const keys = entries.map((entry) => {
    const readOnly = entry.startsWith(READ_ONLY_KEY_PREFIX);
    return { digest: digest(readOnly ? entry.slice(READ_ONLY_KEY_PREFIX.length) : entry), readOnly };
  });
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
    let found: (typeof keys)[number] | undefined;
    for (const key of keys) {
      // A key listed both ways keeps its full access.
      if (timingSafeEqual(key.digest, given) && (!found || found.readOnly)) found = key;
    }
    if (!found) return sendError(c, new HttpError(401, 'unauthorized', 'the API key is not valid'));
    if (found.readOnly && !READ_METHODS.has(c.req.method)) {
      return sendError(
        c,
        new HttpError(403, 'forbidden', 'this API key may only read (a "read:" entry in API_KEYS)'),
      );
    }
    await next();
    return undefined;
  };
}
