import { z } from 'zod';

export const SESSION_ID = /^[A-Za-z0-9._:-]{1,128}$/;

export const SessionConfig = z
  .object({
    provider: z.enum(['meta', 'chatsend']),
    enableWebhook: z.boolean(),
    secret: z.string().min(1).max(4096),
    verifyToken: z.string().min(1).max(4096).optional(),
  })
  .refine((s) => s.provider !== 'chatsend' || /^whsec_[A-Za-z0-9+/]+={0,2}$/.test(s.secret), {
    message: 'a chatsend secret is a Standard Webhooks key: whsec_<base64>',
    path: ['secret'],
  });
export type SessionConfig = z.infer<typeof SessionConfig>;

export interface StoredSession extends SessionConfig {
  sessionId: string;
  updatedAt: string;
}

/** What the API shows of a session: never the secret or the verify token. */
export function redactSession(session: StoredSession) {
  return {
    sessionId: session.sessionId,
    provider: session.provider,
    enableWebhook: session.enableWebhook,
    secret: '[redacted]',
    verifyToken: session.verifyToken === undefined ? null : '[redacted]',
    updatedAt: session.updatedAt,
  };
}

export const StoredSessionRecord = z.object({
  sessionId: z.string(),
  provider: z.enum(['meta', 'chatsend']),
  enableWebhook: z.boolean(),
  secret: z.string(),
  verifyToken: z.string().optional(),
  updatedAt: z.string(),
});
