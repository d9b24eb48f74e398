// "Ready" means a client can use the broker: a metadata request answers and names at least one broker.
// A listening socket alone is not enough; KRaft opens it before the node has joined its own quorum.
import { Kafka, logLevel } from 'kafkajs';

export interface ReadinessOptions {
  timeoutMs: number;
  /** Checked between attempts; a thrown error ends the wait at once (e.g. the broker process exited). */
  failFast?: () => void;
  /** Time between attempts. */
  pollMs?: number;
  /** Brokers the cluster must name. Default 1. */
  minBrokers?: number;
}

/** Resolves once the brokers answer a metadata request; throws the last failure after timeoutMs. */
export async function waitForKafkaReady(brokers: string[], options: ReadinessOptions): Promise<void> {
  const deadline = performance.now() + options.timeoutMs;
  const pollMs = options.pollMs ?? 200;
  const client = new Kafka({
    clientId: 'wapipe-readiness-probe',
    brokers,
    logLevel: logLevel.NOTHING,
    connectionTimeout: 1_000,
    requestTimeout: 5_000,
    retry: { retries: 0 },
  });
  let lastError: unknown = new Error('no attempt was made');
  for (;;) {
    options.failFast?.();
    if (performance.now() > deadline) {
      throw new Error(
        `no answer from ${brokers.join(',')} within ${options.timeoutMs} ms: ${describe(lastError)}`,
      );
    }
    const admin = client.admin({ retry: { retries: 0 } });
    try {
      await admin.connect();
      const cluster = await admin.describeCluster();
      const minBrokers = options.minBrokers ?? 1;
      if (cluster.brokers.length >= minBrokers) return;
      lastError = new Error(`the cluster names ${cluster.brokers.length} of ${minBrokers} brokers so far`);
    } catch (error) {
      lastError = error;
    } finally {
      await admin.disconnect().catch(() => undefined);
    }
    await new Promise((resolve) => setTimeout(resolve, pollMs));
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}
