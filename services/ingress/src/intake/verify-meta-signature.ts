// Meta signs the raw body with the app secret: X-Hub-Signature-256: sha256=<hex HMAC-SHA256>.
import { createHmac, timingSafeEqual } from 'node:crypto';
import { HttpError } from '@wapipe/http';

export function verifyMetaSignature(body: Buffer, header: string | undefined, appSecret: string): void {
  if (!header) throw new HttpError(401, 'missing_signature', 'the X-Hub-Signature-256 header is missing');
  const match = /^sha256=([0-9a-fA-F]{64})$/.exec(header.trim());
  if (!match)
    throw new HttpError(401, 'bad_signature', 'X-Hub-Signature-256 must be "sha256=<64 hex digits>"');
  const expected = createHmac('sha256', appSecret).update(body).digest();
  if (!timingSafeEqual(expected, Buffer.from(match[1]!, 'hex'))) {
    throw new HttpError(401, 'bad_signature', 'the signature does not match the body');
  }
}

export function signMetaBody(body: Buffer | string, appSecret: string): string {
  return 'sha256=' + createHmac('sha256', appSecret).update(body).digest('hex');
}
