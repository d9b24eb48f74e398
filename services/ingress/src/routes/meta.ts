import { timingSafeEqual } from 'node:crypto';
import { Hono } from 'hono';
import { validateMetaBody } from '@wapipe/events';
import type { IngressDeps } from '../deps.ts';
import { acceptWebhook } from '../intake/accept-webhook.ts';
import type { ProviderIntake } from '../intake/accept-webhook.ts';
import type { IntakeGuards } from '../intake/intake-guards.ts';
import { verifyMetaSignature } from '../intake/verify-meta-signature.ts';

const sameText = (a: string, b: string) => {
  const x = Buffer.from(a);
  const y = Buffer.from(b);
  return x.length === y.length && timingSafeEqual(x, y);
};

// No signedId: Meta signs only the body, so a webhook-id header on a Meta post is anyone's to set.
const metaIntake: ProviderIntake = {
  provider: 'meta',
  verify: (body, c, session) =>
    verifyMetaSignature(body, c.req.header('x-hub-signature-256'), session.secret),
  validate: (json) => validateMetaBody(json),
};

export function metaRoutes(deps: IngressDeps, guards: IntakeGuards): Hono {
  const app = new Hono();
  // Meta's subscription handshake: echo hub.challenge when hub.verify_token is the session's token.
  app.get('/webhooks/meta/:sessionId', (c) => {
    const session = deps.sessions.get(c.req.param('sessionId'));
    const mode = c.req.query('hub.mode');
    const token = c.req.query('hub.verify_token') ?? '';
    const challenge = c.req.query('hub.challenge') ?? '';
    const expected = session?.provider === 'meta' ? session.verifyToken : undefined;
    if (mode === 'subscribe' && expected !== undefined && sameText(token, expected)) {
      return c.text(challenge, 200);
    }
    return c.json(
      {
        error: {
          code: 'forbidden',
          message: 'verification failed: unknown session or wrong hub.verify_token',
        },
      },
      403,
    );
  });
  app.post('/webhooks/meta/:sessionId', (c) => acceptWebhook(c, deps, guards, metaIntake));
  return app;
}
