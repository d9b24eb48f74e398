// Secrets the all-in-one makes for itself when the operator gave none, so the first command works with
// no setup and still ships no usable default: an API key for this run, printed once, and the key that
// seals session secrets, kept in its data dir so that a restart can still open them.
import { randomBytes } from 'node:crypto';
import { mkdir, readFile, writeFile } from 'node:fs/promises';
import { dirname } from 'node:path';

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

/**
 * The base64 key in `path`, made (32 random bytes, mode 0600) on first use. Returns whether it was made,
 * so the caller can say where it lives; the key itself is never printed.
 */
export async function loadOrCreateSessionsKey(path: string): Promise<{ key: string; created: boolean }> {
  const existing = await readFile(path, 'utf8').catch((error: NodeJS.ErrnoException) => {
    if (error.code === 'ENOENT') return undefined;
    throw new Error(`SESSIONS_ENCRYPTION_KEY_FILE ${path} could not be read: ${error.message}`);
  });
  if (existing !== undefined) return { key: existing.trim(), created: false };
  const key = randomBytes(32).toString('base64');
  await mkdir(dirname(path), { recursive: true });
  // wx: two starts racing on a fresh data dir must not each write their own key.
  await writeFile(path, key + '\n', { mode: 0o600, flag: 'wx' });
  return { key, created: true };
}
