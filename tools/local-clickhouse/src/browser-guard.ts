// A web page open in the developer's browser can send requests to 127.0.0.1. Browsers mark what they
// send (`Origin`, `Sec-Fetch-*`), and a page without a CORS preflight (which this server never grants)
// can only POST form content types. @clickhouse/client and curl send none of these marks, so anything
// that carries one is refused before credentials are even looked at. The Host check stops DNS
// rebinding (a page on evil.example whose name now points at 127.0.0.1) while bound to loopback.
import type { IncomingHttpHeaders } from 'node:http';
import type { CredentialScheme } from './auth.ts';
import { exception } from './engine-exception.ts';
import type { EngineException } from './engine-exception.ts';

const formContentTypes = /^\s*(application\/x-www-form-urlencoded|multipart\/form-data|text\/plain)\b/i;
const loopbackHosts = new Set(['localhost', '127.0.0.1', '[::1]', '::1']);

/** Why the request looks like it came from a browser, or undefined. */
export function browserMark(headers: IncomingHttpHeaders, listenHost: string): string | undefined {
  if (headers.origin !== undefined) return 'it carries an Origin header';
  if (headers['sec-fetch-site'] !== undefined) return 'it carries Sec-Fetch-Site';
  const mode = headers['sec-fetch-mode'];
  if (mode !== undefined && mode !== 'cors') return `it carries Sec-Fetch-Mode: ${String(mode).slice(0, 20)}`;
  const dest = headers['sec-fetch-dest'];
  if (dest !== undefined && dest !== 'empty')
    return `it carries Sec-Fetch-Dest: ${String(dest).slice(0, 20)}`;
  if (loopbackHosts.has(listenHost) || listenHost.startsWith('127.')) {
    const host = hostName(headers.host);
    if (host !== undefined && !loopbackHosts.has(host) && !host.startsWith('127.') && host !== listenHost) {
      return `its Host header names ${host.slice(0, 60)}, not this loopback server`;
    }
  }
  return undefined;
}

export function refuseBrowserRequest(headers: IncomingHttpHeaders, listenHost: string): void {
  const mark = browserMark(headers, listenHost);
  if (mark !== undefined) {
    throw refused(
      `${mark}; requests from web browsers are refused. Use @clickhouse/client, curl or another HTTP client`,
    );
  }
}

/** A form content type with Basic auth is what a cross-site form post with remembered credentials sends. */
export function refuseFormPost(headers: IncomingHttpHeaders, scheme: CredentialScheme): void {
  const contentType = String(headers['content-type'] ?? '');
  if (scheme === 'basic' && formContentTypes.test(contentType)) {
    throw refused(
      `Content-Type ${contentType.split(';')[0]?.trim().slice(0, 60)} with Basic auth is what a web form sends; ` +
        "send the SQL with another Content-Type (curl: -H 'Content-Type: application/octet-stream') " +
        'or authenticate with X-ClickHouse-User/X-ClickHouse-Key headers',
    );
  }
}

function hostName(host: string | undefined): string | undefined {
  if (host === undefined) return undefined;
  const value = host.trim().toLowerCase();
  if (value.startsWith('[')) return value.slice(0, value.indexOf(']') + 1);
  return value.split(':')[0];
}

const refused = (why: string): EngineException =>
  exception('ACCESS_DENIED', `Not allowed by the local ClickHouse server (tools/local-clickhouse): ${why}`);
