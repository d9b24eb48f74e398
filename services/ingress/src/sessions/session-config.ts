import { z } from 'zod';

export const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;
export const SESSION_ID_RULE = '1–128 letters, digits, ".", "_", ":" or "-"';

/** Contract minimums: a weaker secret would let anyone who guesses it sign webhooks for the session. */
export const MIN_META_SECRET_CHARS = 16;
export const MIN_STANDARD_WEBHOOKS_KEY_BYTES = 24;
const STANDARD_WEBHOOKS_KEY = /^whsec_[A-Za-z0-9+/]+={0,2}$/;

/** Why `secret` is too weak for `provider`, or undefined when it is strong enough. */
export function secretWeakness(provider: 'meta' | 'chatsend', secret: string): string | undefined {
  if (provider === 'meta') {
    return secret.length < MIN_META_SECRET_CHARS
      ? `a Meta app secret has at least ${MIN_META_SECRET_CHARS} characters`
      : undefined;
  }
  if (!STANDARD_WEBHOOKS_KEY.test(secret)) {
    return 'a chatsend secret is a Standard Webhooks key: whsec_<base64>';
  }
  const bytes = Buffer.from(secret.slice('whsec_'.length), 'base64').length;
  return bytes < MIN_STANDARD_WEBHOOKS_KEY_BYTES
    ? `a chatsend secret (whsec_<base64>) decodes to at least ${MIN_STANDARD_WEBHOOKS_KEY_BYTES} bytes; this one has ${bytes}`
    : undefined;
}

export const SessionConfig = z
  .object({
    provider: z.enum(['meta', 'chatsend']),
    enableWebhook: z.boolean(),
    secret: z.string().min(1).max(4096),
    verifyToken: z.string().min(1).max(4096).optional(),
  })
  .superRefine((s, ctx) => {
    const weakness = secretWeakness(s.provider, s.secret);
    if (weakness) ctx.addIssue({ code: 'custom', message: weakness, path: ['secret'] });
  });
export type SessionConfig = z.infer<typeof SessionConfig>;

export interface StoredSession extends SessionConfig {
  sessionId: string;
  updatedAt: string;
}

/** What the API shows of a session: never the secret or the verify token. */
export const RedactedSession = z.object({
  sessionId: z.string(),
  provider: z.enum(['meta', 'chatsend']),
  enableWebhook: z.boolean(),
  secret: z.literal('[redacted]'),
  verifyToken: z.literal('[redacted]').nullable(),
  updatedAt: z.string().meta({ format: 'date-time' }),
});

export function redactSession(session: StoredSession): z.output<typeof RedactedSession> {
  return {
    sessionId: session.sessionId,
    provider: session.provider,
    enableWebhook: session.enableWebhook,
    secret: '[redacted]',
    verifyToken: session.verifyToken === undefined ? null : '[redacted]',
    updatedAt: session.updatedAt,
  };
}

/** A session as it is kept in the sessions topic: its secrets sealed (session-crypto.ts), never in clear. */
export const SealedSessionRecord = z.object({
  sessionId: z.string(),
  provider: z.enum(['meta', 'chatsend']),
  enableWebhook: z.boolean(),
  sealed: z.string(),
  updatedAt: z.string(),
});
export type SealedSessionRecord = z.infer<typeof SealedSessionRecord>;
