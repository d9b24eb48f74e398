// A broker that is not there is a clear error naming KAFKA_BROKERS within 10 s, not a hang.
import { expect, it } from 'vitest';
import { connectKafka } from '@wapipe/kafka';
import { findFreePort } from '@wapipe/local-kafka';
import { silentLogger } from '@wapipe/observability';

it('an unreachable broker fails fast with an error that names KAFKA_BROKERS', async () => {
  const port = await findFreePort();
  const started = performance.now();
  const error = await connectKafka({
    brokers: [`127.0.0.1:${port}`],
    clientId: 'nobody',
    logger: silentLogger,
  }).catch((e: unknown) => e);
  expect(performance.now() - started).toBeLessThan(10_000);
  expect(error).toMatchObject({ code: 'KAFKA_UNREACHABLE', retry: true });
  expect((error as Error).message).toContain('KAFKA_BROKERS');
  expect((error as Error).message).toContain(`127.0.0.1:${port}`);
});
