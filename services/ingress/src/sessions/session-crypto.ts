// Session secrets are sealed before they reach the sessions topic: AES-256-GCM with SESSIONS_ENCRYPTION_KEY,
// the session id as associated data (a sealed secret copied to another session does not open), a fresh
// 12-byte IV per record. Anyone who can read the topic sees which sessions exist, never their secrets;
// anyone who can write it cannot plant a session without the key.
import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { z } from 'zod';

export const SESSIONS_KEY_BYTES = 32;
const VERSION = 'v1';

/** The decoded key, or a message naming SESSIONS_ENCRYPTION_KEY (never its value). */
export function parseSessionsKey(base64: string): Buffer {
  const key = Buffer.from(base64, 'base64');
  if (key.length !== SESSIONS_KEY_BYTES || key.toString('base64') !== base64.replace(/\s/g, '')) {
    throw new Error(
      `SESSIONS_ENCRYPTION_KEY must be ${SESSIONS_KEY_BYTES} random bytes in base64 (openssl rand -base64 32)`,
    );
  }
  return key;
}

const SealedFields = z.object({ secret: z.string(), verifyToken: z.string().optional() });
export type SealedFields = z.infer<typeof SealedFields>;

/** `v1.<iv>.<tag>.<ciphertext>`, each base64. */
export function sealSessionSecrets(key: Buffer, sessionId: string, fields: SealedFields): string {
  const iv = randomBytes(12);
  const cipher = createCipheriv('aes-256-gcm', key, iv).setAAD(Buffer.from(sessionId));
  const data = Buffer.concat([cipher.update(JSON.stringify(fields)), cipher.final()]);
  return [VERSION, iv, cipher.getAuthTag(), data]
    .map((p) => (typeof p === 'string' ? p : p.toString('base64')))
    .join('.');
}

/** The secrets, or undefined when `sealed` was not made with this key for this session. */
export function openSessionSecrets(key: Buffer, sessionId: string, sealed: string): SealedFields | undefined {
  const [version, iv, tag, data] = sealed.split('.');
  if (version !== VERSION || !iv || !tag || data === undefined) return undefined;
  try {
    const decipher = createDecipheriv('aes-256-gcm', key, Buffer.from(iv, 'base64'), {
      // A full 16-byte tag only: GCM would otherwise accept a truncated one.
      authTagLength: 16,
    })
      .setAAD(Buffer.from(sessionId))
      .setAuthTag(Buffer.from(tag, 'base64'));
    const plain = Buffer.concat([decipher.update(Buffer.from(data, 'base64')), decipher.final()]);
    return SealedFields.parse(JSON.parse(plain.toString('utf8')));
  } catch {
    return undefined;
  }
}
