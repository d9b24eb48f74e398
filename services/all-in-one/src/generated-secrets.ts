// Secrets the all-in-one makes for itself when the operator gave none, so the first command works with
// no setup and still ships no usable default: an API key for this run, printed once.
import { randomBytes } from 'node:crypto';

/** A random API key of 32 characters (24 random bytes, base64url). */
export function generateApiKey(): string {
  return randomBytes(24).toString('base64url');
}

/** The lines printed once at start when API_KEYS was unset; stdout, not the log, so no log keeps it. */
export function generatedApiKeyNotice(key: string, port: number): string {
  return [
    '',
    `API_KEYS is unset: this run accepts the generated key ${key}`,
    `  curl -H 'Authorization: Bearer ${key}' http://localhost:${port}/v1/alerts`,
    '  Set API_KEYS to keep a key across restarts.',
    '',
  ].join('\n');
}
