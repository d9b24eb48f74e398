// One user with a password (the server always has one; see startChdbHttpServer). Credentials arrive the
// two ways @clickhouse/client sends them: HTTP Basic auth, or `X-ClickHouse-User`/`X-ClickHouse-Key`
// headers. `user`/`password` URL parameters are refused: URLs end up in shell history and logs, and a
// web page can put them in a link. No credentials at all is REQUIRED_PASSWORD (HTTP 401), a wrong
// password AUTHENTICATION_FAILED (403), as on a server whose default user has a password.
import { createHash, timingSafeEqual } from 'node:crypto';
import type { IncomingHttpHeaders } from 'node:http';
import { exception } from './engine-exception.ts';

export interface Account {
  user: string;
  password: string;
}

/** How the credentials came: a browser replays Basic auth by itself, never X-ClickHouse headers. */
export type CredentialScheme = 'basic' | 'headers';

interface Presented {
  user: string;
  password: string;
  scheme: CredentialScheme;
}

export interface Authenticated {
  user: string;
  scheme: CredentialScheme;
}

/** Returns who authenticated and how, or throws REQUIRED_PASSWORD / AUTHENTICATION_FAILED like a server. */
export function authenticate(headers: IncomingHttpHeaders, url: URL, account: Account): Authenticated {
  const presented = presentedCredentials(headers, url);
  if (presented === undefined) {
    throw exception(
      'REQUIRED_PASSWORD',
      `${printable(account.user)}: Authentication failed: a password is required. Send it by HTTP Basic auth ` +
        'or X-ClickHouse-User/X-ClickHouse-Key headers (clients: CLICKHOUSE_USER and CLICKHOUSE_PASSWORD)',
    );
  }
  const userMatches = presented.user === account.user;
  const passwordMatches = sameSecret(presented.password, account.password);
  if (userMatches && passwordMatches) return { user: presented.user, scheme: presented.scheme };
  throw exception(
    'AUTHENTICATION_FAILED',
    `${printable(presented.user)}: Authentication failed: password is incorrect, or there is no user with such name`,
  );
}

function presentedCredentials(headers: IncomingHttpHeaders, url: URL): Presented | undefined {
  const headerUser = single(headers['x-clickhouse-user']);
  const headerKey = single(headers['x-clickhouse-key']);
  const authorization = single(headers.authorization);
  const viaHeaders = headerUser !== undefined || headerKey !== undefined;

  if (url.searchParams.has('user') || url.searchParams.has('password')) {
    throw exception(
      'AUTHENTICATION_FAILED',
      'Invalid authentication: user/password URL parameters are not accepted by the local server; ' +
        'send HTTP Basic auth or X-ClickHouse-User/X-ClickHouse-Key headers',
    );
  }
  if (viaHeaders && authorization !== undefined) {
    throw exception(
      'AUTHENTICATION_FAILED',
      'Invalid authentication: it is not allowed to use both X-ClickHouse-User/Key headers and the ' +
        'Authorization header',
    );
  }
  if (viaHeaders) return { user: headerUser || 'default', password: headerKey ?? '', scheme: 'headers' };
  if (authorization !== undefined) return basicCredentials(authorization);
  return undefined;
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
  if (colon === -1) return { user: decoded || 'default', password: '', scheme: 'basic' };
  return { user: decoded.slice(0, colon) || 'default', password: decoded.slice(colon + 1), scheme: 'basic' };
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
