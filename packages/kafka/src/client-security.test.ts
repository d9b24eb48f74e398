// The SASL and TLS options every wapipe Kafka client is built with, from the KAFKA_* settings as parsed by
// @wapipe/config: what reaches the client, and that a half-configured setting stops with its name.
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { kafkaSecuritySettings, parseEnv } from '@wapipe/config';
import { z } from 'zod';
import { kafkaClientSecurity } from './client.ts';

const settings = z.object(kafkaSecuritySettings);
const fromEnv = (env: Record<string, string>) => kafkaClientSecurity(parseEnv(settings, env));

let dir: string;
const CA = '-----BEGIN CERTIFICATE-----\nca\n-----END CERTIFICATE-----\n';
beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'wapipe-kafka-tls-'));
  await writeFile(join(dir, 'ca.pem'), CA);
  await writeFile(join(dir, 'client.pem'), 'cert');
  await writeFile(join(dir, 'client.key'), 'key');
});
afterAll(() => rm(dir, { recursive: true, force: true }));

describe('kafkaClientSecurity', () => {
  it('is plaintext without SASL when nothing is set (the local broker)', () => {
    expect(fromEnv({})).toEqual({});
  });

  it.each(['plain', 'scram-sha-256', 'scram-sha-512'] as const)(
    'passes SASL %s with its credentials',
    (m) => {
      expect(
        fromEnv({ KAFKA_SASL_MECHANISM: m, KAFKA_SASL_USERNAME: 'wapipe', KAFKA_SASL_PASSWORD: 'pw-123' }),
      ).toEqual({ sasl: { mechanism: m, username: 'wapipe', password: 'pw-123' } });
    },
  );

  it('turns TLS on with the system CAs, or with KAFKA_TLS_CA_FILE and a client certificate', () => {
    expect(fromEnv({ KAFKA_TLS: 'true' })).toEqual({ ssl: true });
    expect(
      fromEnv({
        KAFKA_TLS_CA_FILE: join(dir, 'ca.pem'),
        KAFKA_TLS_CERT_FILE: join(dir, 'client.pem'),
        KAFKA_TLS_KEY_FILE: join(dir, 'client.key'),
        KAFKA_SASL_MECHANISM: 'scram-sha-512',
        KAFKA_SASL_USERNAME: 'u',
        KAFKA_SASL_PASSWORD: 'p',
      }),
    ).toEqual({
      ssl: { ca: [CA], cert: 'cert', key: 'key', rejectUnauthorized: true },
      sasl: { mechanism: 'scram-sha-512', username: 'u', password: 'p' },
    });
  });

  it('names the missing or unreadable setting, never the password', () => {
    expect(() => fromEnv({ KAFKA_SASL_MECHANISM: 'plain', KAFKA_SASL_USERNAME: 'u' })).toThrow(
      /KAFKA_SASL_PASSWORD is required/,
    );
    let message = '';
    try {
      fromEnv({ KAFKA_SASL_PASSWORD: 'hunter2-secret' });
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toMatch(/^KAFKA_SASL_MECHANISM is required/);
    expect(message).not.toContain('hunter2-secret');
    expect(() => fromEnv({ KAFKA_TLS_CERT_FILE: join(dir, 'client.pem') })).toThrow(/KAFKA_TLS_KEY_FILE/);
    expect(() => fromEnv({ KAFKA_TLS_CA_FILE: join(dir, 'missing.pem') })).toThrow(
      /KAFKA_TLS_CA_FILE=.*missing\.pem could not be read/,
    );
    expect(() => fromEnv({ KAFKA_SASL_MECHANISM: 'gssapi' })).toThrow(/KAFKA_SASL_MECHANISM/);
  });
});
