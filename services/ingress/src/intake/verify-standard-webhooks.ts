// Standard Webhooks: the signed content is "{webhook-id}.{webhook-timestamp}.{body}", HMAC-SHA256 with the
// base64 key after "whsec_"; webhook-signature holds one or more space-separated "v1,<base64>" entries.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '@wapipe/http';

export interface StandardWebhookHeaders {
  id: string | undefined;
  timestamp: string | undefined;
  signature: string | undefined;
}

export function secretKey(secret: string): Buffer {
  return Buffer.from(secret.startsWith('whsec_') ? secret.slice(6) : secret, 'base64');
}

export function verifyStandardWebhook(
  body: Buffer,
  headers: StandardWebhookHeaders,
  secret: string,
  options: { toleranceSeconds: number; now?: number },
): void {
  const { id, timestamp, signature } = headers;
  if (!id || !timestamp || !signature) {
    throw new HttpError(
      401,
      'missing_signature',
      'webhook-id, webhook-timestamp and webhook-signature are required',
    );
  }
  if (!/^\d{1,12}$/.test(timestamp)) {
    throw new HttpError(401, 'bad_signature', 'webhook-timestamp must be unix seconds');
  }
  const now = Math.floor((options.now ?? Date.now()) / 1000);
  if (Math.abs(now - Number(timestamp)) > options.toleranceSeconds) {
    throw new HttpError(
      401,
      'stale_timestamp',
      `webhook-timestamp is more than ${options.toleranceSeconds} s from the server's clock`,
    );
  }
  const expected = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest();
  for (const entry of signature.split(' ')) {
    const [version, value] = entry.split(',', 2);
    if (version !== 'v1' || !value) continue;
    const given = Buffer.from(value, 'base64');
    if (given.length === expected.length && timingSafeEqual(given, expected)) return;
  }
  throw new HttpError(401, 'bad_signature', 'no v1 signature in webhook-signature matches the body');
}

export function signStandardWebhook(
  id: string,
  timestamp: number,
  body: Buffer | string,
  secret: string,
): string {
  const mac = createHmac('sha256', secretKey(secret))
    .update(`${id}.${timestamp}.`)
    .update(body)
    .digest('base64');
  return `v1,${mac}`;
}
