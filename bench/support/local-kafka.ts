// A broker for a benchmark: KAFKA_BROKERS when given, else a local one on free ports in a temp dir.
import { startScratchBroker } from '@wapipe/local-kafka';

export async function benchBroker(): Promise<{ brokers: string[]; stop(): Promise<void> }> {
  const given = process.env['KAFKA_BROKERS'];
  if (given) return { brokers: given.split(','), stop: async () => {} };
  process.stdout.write('starting a local Kafka broker for the benchmark…\n');
  return startScratchBroker('wapipe-bench-kafka-');
}
