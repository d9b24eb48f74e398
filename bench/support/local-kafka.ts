// A broker for a benchmark: KAFKA_BROKERS when given, else a local one on free ports in a temp dir.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startLocalBroker } from '@wapipe/kafka';

export async function benchBroker(): Promise<{ brokers: string[]; stop(): Promise<void> }> {
  const given = process.env['KAFKA_BROKERS'];
  if (given) return { brokers: given.split(','), stop: async () => {} };
  const dataDir = await mkdtemp(join(tmpdir(), 'wapipe-bench-kafka-'));
  process.stdout.write('starting a local Kafka broker for the benchmark…\n');
  const broker = await startLocalBroker({
    dataDir,
    port: await findFreePort(),
    controllerPort: await findFreePort(),
  });
  return {
    brokers: broker.brokers,
    async stop() {
      await broker.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
