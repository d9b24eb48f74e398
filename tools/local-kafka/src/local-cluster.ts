// A KRaft cluster of several combined broker+controller nodes on 127.0.0.1, from the same jars as the single
// broker: one JVM per node, each with its own data dir and ports, a static voter set naming every node, and
// internal topics replicated to every node (at most 3) with min ISR 2. The nodes start together, because a
// controller quorum needs a majority before any of them is ready.
import { existsSync, readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { printProgress, repoRoot } from './jars.ts';
import type { ProgressReporter } from './jars.ts';
import { loopbackHost } from './ports.ts';
import { waitForKafkaReady } from './readiness.ts';
import { newClusterId, startLocalBroker } from './start-local-broker.ts';
import type { LocalBroker, LocalBrokerOptions } from './start-local-broker.ts';

/** Three JVMs share a small machine: a smaller heap than the single broker's. */
export const clusterJvmOptions = ['-Xms128m', '-Xmx512m', '-XX:+UseG1GC', '-XX:+ExitOnOutOfMemoryError'];

export interface LocalClusterOptions extends Omit<
  LocalBrokerOptions,
  'port' | 'controllerPort' | 'dataDir' | 'clusterNode'
> {
  /** Default 3. */
  nodes?: number;
  /** Client port of each node. Default 9092, 9093, … (one per node). */
  ports?: number[];
  /** Controller port of each node. Default the ports after the client ports. */
  controllerPorts?: number[];
  /** Parent of each node's data dir (`node-<id>`). Default <repo>/.data/kafka-cluster. */
  dataDir?: string;
}

export interface LocalCluster {
  /** host:port of every node. */
  brokers: string[];
  version: string;
  nodes: LocalBroker[];
  /** Stops every node (in parallel). Safe to call twice. */
  stop(): Promise<void>;
}

export async function startLocalCluster(options: LocalClusterOptions = {}): Promise<LocalCluster> {
  const onProgress: ProgressReporter = options.onProgress ?? printProgress;
  const count = options.nodes ?? 3;
  if (!Number.isInteger(count) || count < 1) throw new Error(`--nodes must be 1 or more, not ${count}`);
  const ports = options.ports ?? Array.from({ length: count }, (_, i) => 9092 + i);
  const controllerPorts =
    options.controllerPorts ?? Array.from({ length: count }, (_, i) => (ports.at(-1) ?? 9092) + 1 + i);
  if (ports.length !== count || controllerPorts.length !== count) {
    throw new Error(`a ${count}-node cluster needs ${count} ports and ${count} controller ports`);
  }
  const root = resolve(options.dataDir ?? join(repoRoot, '.data', 'kafka-cluster'));
  const dataDirs = ports.map((_, i) => join(root, `node-${i + 1}`));
  const voters = controllerPorts.map((port, i) => `${i + 1}@${loopbackHost}:${port}`).join(',');
  const clusterId = existingClusterId(dataDirs) ?? newClusterId();
  const replication = Math.min(3, count);
  onProgress(`starting a ${count}-node Kafka cluster (voters ${voters}, data in ${root})`);

  const started = await Promise.allSettled(
    ports.map((port, i) =>
      startLocalBroker({
        jvmOptions: clusterJvmOptions,
        ...options,
        port,
        controllerPort: controllerPorts[i],
        dataDir: dataDirs[i],
        clusterNode: { nodeId: i + 1, voters, replication, clusterId },
        onProgress: (line) => onProgress(`node ${i + 1}: ${line}`),
      }),
    ),
  );
  const nodes = started.flatMap((result) => (result.status === 'fulfilled' ? [result.value] : []));
  const stop = async () => void (await Promise.all(nodes.map((node) => node.stop())));
  const failed = started.find((result) => result.status === 'rejected');
  if (failed !== undefined) {
    await stop();
    throw failed.reason;
  }
  const brokers = nodes.flatMap((node) => node.brokers);
  // Each node answers once the quorum has a leader; the cluster is ready when every broker is registered.
  await waitForKafkaReady(brokers, { timeoutMs: options.startTimeoutMs ?? 90_000, minBrokers: count }).catch(
    async (error: unknown) => {
      await stop();
      throw error;
    },
  );
  onProgress(`Kafka cluster ready: KAFKA_BROKERS=${brokers.join(',')}`);
  return { brokers, version: nodes[0]?.version ?? '', nodes, stop };
}

/** The cluster id an earlier start formatted some node with, so a node added or reset later joins it. */
function existingClusterId(dataDirs: string[]): string | undefined {
  for (const dir of dataDirs) {
    const meta = join(dir, 'data', 'meta.properties');
    if (!existsSync(meta)) continue;
    const id = /^cluster\.id=(.+)$/m.exec(readFileSync(meta, 'utf8'))?.[1];
    if (id !== undefined) return id.trim();
  }
  return undefined;
}
