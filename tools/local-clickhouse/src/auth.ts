// One user, as configured. Credentials arrive the three ways a ClickHouse server accepts them:
// `X-ClickHouse-User`/`X-ClickHouse-Key` headers, HTTP Basic auth (what @clickhouse/client sends), or
// `user`/`password` URL parameters; none at all means user `default` with an empty password.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { exception } from './engine-exception.ts';

export interface Account {
  user: string;
  password: string;
}

interface Presented {
  user: string;
  password: string;
}

/** Returns the authenticated user name, or throws AUTHENTICATION_FAILED like the server does. */
export function authenticate(headers: IncomingHttpHeaders, url: URL, account: Account): string {
  const presented = presentedCredentials(headers, url);
  const userMatches = presented.user === account.user;
  const passwordMatches = sameSecret(presented.password, account.password);
  if (userMatches && passwordMatches) return presented.user;
  throw exception(
    'AUTHENTICATION_FAILED',
    `${printable(presented.user)}: Authentication failed: password is incorrect, or there is no user with such name`,
  );
}

function presentedCredentials(headers: IncomingHttpHeaders, url: URL): Presented {
  const headerUser = single(headers['x-clickhouse-user']);
  const headerKey = single(headers['x-clickhouse-key']);
  const authorization = single(headers.authorization);
  const inUrl = url.searchParams.has('user') || url.searchParams.has('password');
  const viaHeaders = headerUser !== undefined || headerKey !== undefined;

  if ([viaHeaders, authorization !== undefined, inUrl].filter(Boolean).length > 1) {
    throw exception(
      'AUTHENTICATION_FAILED',
      'Invalid authentication: it is not allowed to use more than one of X-ClickHouse-User/Key headers, ' +
        'the Authorization header and user/password parameters',
    );
  }
  if (viaHeaders) return { user: headerUser || 'default', password: headerKey ?? '' };
  if (authorization !== undefined) return basicCredentials(authorization);
  if (inUrl) {
    return {
      user: url.searchParams.get('user') || 'default',
      password: url.searchParams.get('password') ?? '',
    };
  }
  return { user: 'default', password: '' };
}

function basicCredentials(authorization: string): Presented {
  const match = /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(authorization);
  if (!match) {
    throw exception(
      'AUTHENTICATION_FAILED',
      'Invalid authentication: only HTTP Basic authorization is supported',
    );
  }
  const decoded = Buffer.from(match[1] as string, 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon === -1) return { user: decoded || 'default', password: '' };
  return { user: decoded.slice(0, colon) || 'default', password: decoded.slice(colon + 1) };
}

/** Compares digests so the time taken does not depend on where the strings differ. */
function sameSecret(presented: string, expected: string): boolean {
  const digest = (text: string) => createHash('sha256').update(text, 'utf8').digest();
  return timingSafeEqual(digest(presented), digest(expected));
}

const single = (value: string | string[] | undefined): string | undefined =>
  Array.isArray(value) ? value[0] : value;

/** A user name as it may appear in a message or log line: short, no control characters. */
export const printable = (user: string): string => user.replace(/[\u0000-\u001f\u007f]/g, '?').slice(0, 64);
