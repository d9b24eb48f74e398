// A broker for a benchmark: KAFKA_BROKERS when given, else a local one on free ports in a temp dir, or a
// local KRaft cluster of BENCH_KAFKA_NODES nodes (topics then get replication 3, min ISR 2, acks=all).
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort, startLocalCluster, startScratchBroker } from '@wapipe/local-kafka';

export async function benchBroker(): Promise<{ brokers: string[]; stop(): Promise<void> }> {
  const given = process.env['KAFKA_BROKERS'];
  if (given) return { brokers: given.split(','), stop: async () => {} };
  const nodes = Number(process.env['BENCH_KAFKA_NODES'] ?? 1);
  if (!Number.isInteger(nodes) || nodes < 1)
    throw new Error(`BENCH_KAFKA_NODES must be 1 or more, got ${nodes}`);
  if (nodes === 1) {
    process.stdout.write('starting a local Kafka broker for the benchmark…\n');
    return startScratchBroker('wapipe-bench-kafka-');
  }
  process.stdout.write(`starting a local ${nodes}-node Kafka cluster for the benchmark…\n`);
  const dataDir = await mkdtemp(join(tmpdir(), 'wapipe-bench-cluster-'));
  const ports = () => Promise.all(Array.from({ length: nodes }, () => findFreePort()));
  const cluster = await startLocalCluster({
    nodes,
    dataDir,
    ports: await ports(),
    controllerPorts: await ports(),
    onProgress: (line) => process.stdout.write(`  ${line}\n`),
  });
  return {
    brokers: cluster.brokers,
    async stop() {
      await cluster.stop();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
