// A 3-node local KRaft cluster (the project's jars, free ports, a temp data dir) and a connection to it,
// for the tests of issue 19; what it started is pushed onto `cleanups`, to run in reverse.
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { connectKafka } from '@wapipe/kafka';
import type { KafkaConnection } from '@wapipe/kafka';
import { clusterJvmOptions, findFreePort, startLocalCluster } from '@wapipe/local-kafka';
import type { LocalCluster } from '@wapipe/local-kafka';
import { silentLogger } from '@wapipe/observability';

export async function startTestCluster(
  name: string,
  cleanups: Array<() => Promise<void>>,
): Promise<{ cluster: LocalCluster; kafka: KafkaConnection }> {
  const freePorts = (count: number) => Promise.all(Array.from({ length: count }, () => findFreePort()));
  const dataDir = await mkdtemp(join(tmpdir(), `wapipe-${name}-`));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  const cluster = await startLocalCluster({
    nodes: 3,
    dataDir,
    ports: await freePorts(3),
    controllerPorts: await freePorts(3),
    onProgress: () => undefined,
    // A test cluster lives for one file and its data is thrown away. The JIT's first tier only starts 3
    // JVMs on 2 cores in ~13 s instead of ~18 s, and the last node, which waits 5 s for a quorum that is
    // gone before it exits, is killed after 1.5 s.
    jvmOptions: [...clusterJvmOptions, '-XX:TieredStopAtLevel=1'],
    stopTimeoutMs: 1_500,
  });
  cleanups.push(() => cluster.stop());
  const kafka = await connectKafka({ brokers: cluster.brokers, clientId: name, logger: silentLogger });
  cleanups.push(() => kafka.close());
  return { cluster, kafka };
}
