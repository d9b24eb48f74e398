// npm run kafka -- fetch | format | start [--port 9092] [--controller-port 9093] [--data-dir .data/kafka]
// An unknown command or option prints the usage and exits 2.
// `fetch` provisions the jars (CI runs it before the tests); `start` runs a broker until Ctrl-C.
import { parseArgs } from 'node:util';
import { LocalBrokerError } from './errors.ts';
import { ensureKafkaJars } from './jars.ts';
import { startLocalCluster } from './local-cluster.ts';
import { formatLocalBrokerDataDir, startLocalBroker } from './start-local-broker.ts';
import type { LocalBrokerOptions } from './start-local-broker.ts';

const usage = `usage: npm run kafka -- <command> [options]

commands:
  fetch    download the pinned Kafka jars with mvn into the cache (KAFKA_CACHE_DIR, default .cache/kafka)
  format   write server.properties and format the data dir, unless it already is
  start    run a broker (or with --nodes 3 a cluster) in the foreground until Ctrl-C

options (format, start):
  --port <n>              PLAINTEXT listener on 127.0.0.1 (default 9092)
  --controller-port <n>   KRaft controller listener (default port + 1)
  --data-dir <path>       kept across starts (default .data/kafka; .data/kafka-cluster with --nodes)

options (start):
  --nodes <n>             a KRaft cluster of n broker+controller nodes: client ports port..port+n-1,
                          controller ports the n after them, data in <data dir>/node-<id>; the project's
                          topics then get min(n, 3) replicas and min.insync.replicas=2`;

class UsageError extends Error {}

function parseCommandLine() {
  try {
    return parseArgs({
      allowPositionals: true,
      options: {
        port: { type: 'string' },
        'controller-port': { type: 'string' },
        'data-dir': { type: 'string' },
        nodes: { type: 'string' },
        help: { type: 'boolean', short: 'h' },
      },
    });
  } catch (error) {
    // parseArgs names the unknown option or the missing value; the usage says what is accepted.
    throw new UsageError((error as Error).message);
  }
}

async function main(): Promise<void> {
  const { positionals, values } = parseCommandLine();
  const command = positionals[0];
  if (values.help === true || command === undefined) {
    console.log(usage);
    return;
  }
  const options: LocalBrokerOptions = {
    port: portOption('--port', values.port),
    controllerPort: portOption('--controller-port', values['controller-port']),
    dataDir: values['data-dir'],
  };

  switch (command) {
    case 'fetch': {
      const jars = await ensureKafkaJars();
      console.log(`Kafka ${jars.version} jars are in ${jars.libsDir}`);
      return;
    }
    case 'format': {
      const prepared = await formatLocalBrokerDataDir(options);
      console.log(`data dir ${prepared.dataDir} is formatted (${prepared.propertiesFile})`);
      return;
    }
    case 'start': {
      const nodes = values.nodes === undefined ? 1 : Number(values.nodes);
      if (!Number.isInteger(nodes) || nodes < 1 || nodes > 9) {
        throw new UsageError(`--nodes must be a whole number from 1 to 9, not "${values.nodes}"`);
      }
      return nodes === 1 ? runInForeground(options) : runClusterInForeground(nodes, options);
    }
    default:
      throw new UsageError(`unknown command "${command}"`);
  }
}

async function runInForeground(options: LocalBrokerOptions): Promise<void> {
  const broker = await startLocalBroker(options);
  console.log(
    `Kafka ${broker.version} is running: KAFKA_BROKERS=${broker.brokers.join(',')} (Ctrl-C stops it)`,
  );
  let stopping = false;
  const stopOn = (signal: NodeJS.Signals): void => {
    stopping = true;
    console.log(`${signal}: stopping Kafka …`);
    void broker.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stopOn);
  process.once('SIGTERM', stopOn);
  const how = await broker.exited;
  if (stopping) return;
  console.error(`Kafka stopped by itself (${how}); see ${broker.logFile}`);
  process.exit(1);
}

async function runClusterInForeground(nodes: number, options: LocalBrokerOptions): Promise<void> {
  const port = options.port ?? 9092;
  const ports = Array.from({ length: nodes }, (_, i) => port + i);
  const cluster = await startLocalCluster({
    nodes,
    ports,
    controllerPorts: Array.from({ length: nodes }, (_, i) => (options.controllerPort ?? port + nodes) + i),
    dataDir: options.dataDir,
  });
  console.log(
    `Kafka ${cluster.version} ${nodes}-node cluster is running: KAFKA_BROKERS=${cluster.brokers.join(',')} (Ctrl-C stops it)`,
  );
  let stopping = false;
  const stopOn = (signal: NodeJS.Signals): void => {
    stopping = true;
    console.log(`${signal}: stopping the Kafka cluster …`);
    void cluster.stop().then(() => process.exit(0));
  };
  process.once('SIGINT', stopOn);
  process.once('SIGTERM', stopOn);
  const how = await Promise.race(
    cluster.nodes.map((node, i) => node.exited.then((e) => `node ${i + 1}: ${e}`)),
  );
  if (stopping) return;
  console.error(
    `a Kafka node stopped by itself (${how}); see the logs under ${cluster.nodes[0]?.dataDir ?? ''}/..`,
  );
  await cluster.stop();
  process.exit(1);
}

function portOption(name: string, value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 1 || port > 65_535) {
    throw new UsageError(`${name} must be a port number (1-65535), not "${value}"`);
  }
  return port;
}

main().catch((error: unknown) => {
  if (error instanceof UsageError) {
    console.error(`${error.message}\n\n${usage}`);
    process.exit(2);
  }
  const message = error instanceof LocalBrokerError ? `${error.code}: ${error.message}` : String(error);
  console.error(message);
  process.exit(1);
});
