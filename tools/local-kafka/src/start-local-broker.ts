// Runs a single-node KRaft Kafka broker as a child JVM: formats its data directory once, starts it, and
// resolves only when a client can use it. The broker never outlives the node process (see ExitWithParent).
import { spawn } from 'node:child_process';
import type { ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { closeSync, existsSync, openSync } from 'node:fs';
import { mkdir, writeFile } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { diagnoseBrokerLog, readLogTail } from './broker-log.ts';
import { lockDataDir } from './data-dir-lock.ts';
import type { DataDirLock } from './data-dir-lock.ts';
import { LocalBrokerError } from './errors.ts';
import { ensureKafkaJars, javaTool, lastLines, printProgress, repoRoot, run } from './jars.ts';
import type { KafkaJars, ProgressReporter } from './jars.ts';
import { isPortInUse, loopbackHost } from './ports.ts';
import { waitForKafkaReady } from './readiness.ts';
import { renderServerProperties } from './server-properties.ts';

const log4jConfig = fileURLToPath(new URL('log4j2.properties', import.meta.url));

/** Modest heap: the broker shares a small machine with the services and the tests. */
export const defaultJvmOptions = [
  '-Xms256m',
  '-Xmx1g',
  '-XX:+UseG1GC',
  '-XX:MaxGCPauseMillis=20',
  '-XX:+ExitOnOutOfMemoryError',
  '-Djava.awt.headless=true',
];

export interface LocalBrokerOptions {
  /** PLAINTEXT listener on 127.0.0.1. Default 9092. */
  port?: number;
  /** KRaft controller listener on 127.0.0.1. Default port + 1. */
  controllerPort?: number;
  /** Kept across starts: formatted only the first time. Default <repo>/.data/kafka. */
  dataDir?: string;
  /** Jar cache root. Default env KAFKA_CACHE_DIR, else <repo>/.cache/kafka. */
  cacheDir?: string;
  /** Partitions of a topic created without a count. Default 3. */
  numPartitions?: number;
  /** Set by startLocalCluster for each of its nodes; a single broker leaves it out. */
  clusterNode?: ClusterNodeSettings;
  /** Default 90 s: a cold JVM on a busy 2-core machine. */
  startTimeoutMs?: number;
  /** After this, stop() escalates SIGTERM to SIGKILL. Default 30 s. */
  stopTimeoutMs?: number;
  jvmOptions?: string[];
  onProgress?: ProgressReporter;
}

export interface ClusterNodeSettings {
  nodeId: number;
  /** controller.quorum.voters of the whole cluster. */
  voters: string;
  replication: number;
  /** Every node of one cluster is formatted with the same id. */
  clusterId: string;
}

export interface LocalBroker {
  /** host:port list for clients. */
  brokers: string[];
  pid: number;
  version: string;
  dataDir: string;
  /** The broker's own log (log4j), under dataDir. */
  logFile: string;
  /** Settles when the JVM has exited, for whatever reason, with how it ended ("exit code 0", "signal SIGTERM"). */
  exited: Promise<string>;
  /** SIGTERM, wait for exit (SIGKILL after stopTimeoutMs). Safe to call twice. */
  stop(): Promise<void>;
}

export interface PreparedDataDir {
  port: number;
  dataDir: string;
  logFile: string;
  jvmLogFile: string;
  propertiesFile: string;
  javaOptions: string[];
  jars: KafkaJars;
}

/** Fetches the jars if needed, writes server.properties and formats the data dir unless it already is. */
export async function formatLocalBrokerDataDir(options: LocalBrokerOptions = {}): Promise<PreparedDataDir> {
  const onProgress = options.onProgress ?? printProgress;
  const port = options.port ?? 9092;
  const controllerPort = options.controllerPort ?? port + 1;
  const dataDir = resolve(options.dataDir ?? join(repoRoot, '.data', 'kafka'));
  const logDir = join(dataDir, 'data');
  const logsDir = join(dataDir, 'logs');
  const logFile = join(logsDir, 'server.log');
  const propertiesFile = join(dataDir, 'server.properties');

  const jars = await ensureKafkaJars({ cacheDir: options.cacheDir, onProgress });
  await mkdir(logDir, { recursive: true });
  await mkdir(logsDir, { recursive: true });
  await writeFile(
    propertiesFile,
    renderServerProperties({
      port,
      controllerPort,
      logDir,
      numPartitions: options.numPartitions ?? 3,
      ...options.clusterNode,
    }),
  );
  const javaOptions = [`-Dlog4j2.configurationFile=${log4jConfig}`, `-Dkafka.logs.dir=${logsDir}`];
  if (!existsSync(join(logDir, 'meta.properties'))) {
    onProgress(`formatting a new KRaft data directory in ${dataDir}`);
    const clusterId = options.clusterNode?.clusterId ?? newClusterId();
    await formatLogDir(jars, javaOptions, propertiesFile, logFile, clusterId);
  }
  const jvmLogFile = join(logsDir, 'jvm.log');
  return {
    port,
    dataDir,
    logFile,
    jvmLogFile,
    propertiesFile,
    javaOptions,
    jars,
  };
}

export async function startLocalBroker(options: LocalBrokerOptions = {}): Promise<LocalBroker> {
  const onProgress = options.onProgress ?? printProgress;
  const port = options.port ?? 9092;
  const controllerPort = options.controllerPort ?? port + 1;
  const dataDir = resolve(options.dataDir ?? join(repoRoot, '.data', 'kafka'));

  const lock = await lockDataDir(dataDir, port);
  try {
    for (const [name, value] of [
      ['port', port],
      ['controllerPort', controllerPort],
    ] as const) {
      if (await isPortInUse(value)) {
        throw new LocalBrokerError(
          'LOCAL_BROKER_PORT_IN_USE',
          `cannot start the local Kafka broker: ${loopbackHost}:${value} (${name}) is already in use, ` +
            'perhaps by another broker. Stop that process, or pass another port.',
          { retry: false },
        );
      }
    }
    const prepared = await formatLocalBrokerDataDir({
      ...options,
      port,
      controllerPort,
      dataDir,
      onProgress,
    });
    return await launch(prepared, options, lock, onProgress);
  } catch (error) {
    await lock.release();
    throw error;
  }
}

async function launch(
  prepared: PreparedDataDir,
  options: LocalBrokerOptions,
  lock: DataDirLock,
  onProgress: ProgressReporter,
): Promise<LocalBroker> {
  const { dataDir, logFile, jvmLogFile, propertiesFile, javaOptions, jars } = prepared;
  const brokers = [`${loopbackHost}:${prepared.port}`];
  onProgress(`starting Kafka ${jars.version} on ${brokers[0]} (log: ${logFile})`);
  const started = performance.now();
  const jvmLog = openSync(jvmLogFile, 'w');
  let child: ChildProcess;
  try {
    const mainClass = jars.launcher === undefined ? ['kafka.Kafka'] : [jars.launcher, 'kafka.Kafka'];
    const args = [...(options.jvmOptions ?? defaultJvmOptions), ...javaOptions, '-cp', jars.classpath];
    // stdin stays a pipe that only this process holds: ExitWithParent exits when it closes. Its own
    // process group: a terminal's Ctrl-C signals the whole foreground group, and the broker must outlive
    // the consumers that still commit to it; this process stops it last, with stop().
    child = spawn(javaTool('java'), [...args, ...mainClass, propertiesFile], {
      stdio: ['pipe', jvmLog, jvmLog],
      detached: true,
    });
  } finally {
    closeSync(jvmLog);
  }
  child.stdin?.on('error', () => undefined);
  const exit = watchExit(child);
  const spawnError = await Promise.race([exit.spawnError, exit.spawned]);
  if (spawnError !== undefined) throw javaMissing(spawnError);
  const pid = child.pid ?? 0;
  // A normal exit of this process (not a signal it does not handle) also ends the broker.
  const killOnExit = (): void => void child.kill('SIGTERM');
  process.on('exit', killOnExit);
  await lock.recordBroker(pid);

  const timeoutMs = options.startTimeoutMs ?? 90_000;
  try {
    await waitForKafkaReady(brokers, {
      timeoutMs,
      failFast: () => {
        if (exit.code() !== undefined) throw new BrokerExited();
      },
    });
  } catch (error) {
    const exitedEarly = error instanceof BrokerExited;
    if (!exitedEarly) {
      child.kill('SIGKILL');
      await exit.promise;
    }
    process.off('exit', killOnExit);
    const tail = [await readLogTail(jvmLogFile, 20), await readLogTail(logFile, 40)]
      .filter(Boolean)
      .join('\n');
    const known = diagnoseBrokerLog(tail);
    const what = exitedEarly
      ? `exited during start (${exit.code()})`
      : `was not ready within ${timeoutMs} ms`;
    throw new LocalBrokerError(
      known?.code ?? (exitedEarly ? 'LOCAL_BROKER_EXITED' : 'LOCAL_BROKER_START_TIMEOUT'),
      `the local Kafka broker on ${brokers[0]} (data dir ${dataDir}) ${what}` +
        `${known === undefined ? '' : `: ${known.explain}`}.\nLast lines of ${jvmLogFile} and ${logFile}:\n${tail}`,
      { retry: known === undefined },
    );
  }
  onProgress(`Kafka ready on ${brokers[0]} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

  let stopping: Promise<void> | undefined;
  const stop = (): Promise<void> => {
    stopping ??= (async () => {
      if (exit.code() === undefined) {
        child.kill('SIGTERM');
        const timer = setTimeout(() => child.kill('SIGKILL'), options.stopTimeoutMs ?? 30_000);
        await exit.promise;
        clearTimeout(timer);
      }
      process.off('exit', killOnExit);
      child.stdin?.destroy();
      await lock.release();
    })();
    return stopping;
  };
  const exited = exit.promise.then(() => exit.code() ?? 'exited');
  return { brokers, pid, version: jars.version, dataDir, logFile, exited, stop };
}

class BrokerExited extends Error {}

function watchExit(child: ChildProcess) {
  let exitCode: string | undefined;
  const promise = new Promise<void>((resolveExit) => {
    child.once('exit', (code, signal) => {
      exitCode = signal === null ? `exit code ${code}` : `signal ${signal}`;
      resolveExit();
    });
  });
  return {
    promise,
    code: () => exitCode,
    spawned: new Promise<undefined>((resolveSpawn) => child.once('spawn', () => resolveSpawn(undefined))),
    spawnError: new Promise<Error>((resolveError) => child.once('error', resolveError)),
  };
}

function javaMissing(cause: Error): LocalBrokerError {
  return new LocalBrokerError(
    'LOCAL_BROKER_JAVA_MISSING',
    `cannot run "${javaTool('java')}" (${cause.message}). The local Kafka broker needs Java 17 or newer: ` +
      'install it (Debian/Ubuntu: apt-get install openjdk-17-jre-headless) or set JAVA_HOME, ' +
      'or set KAFKA_BROKERS to use a broker you already run.',
    { retry: false, cause },
  );
}

async function formatLogDir(
  jars: KafkaJars,
  javaOptions: string[],
  propertiesFile: string,
  logFile: string,
  clusterId: string,
): Promise<void> {
  const args = [...javaOptions, '-cp', jars.classpath, 'kafka.tools.StorageTool', 'format'];
  const result = await run(javaTool('java'), [...args, '-t', clusterId, '-c', propertiesFile]);
  if (result.error !== undefined) throw javaMissing(result.error);
  if (result.exitCode !== 0) {
    const output = `${lastLines(result.output, 20)}\n${await readLogTail(logFile, 20)}`.trim();
    throw new LocalBrokerError(
      diagnoseBrokerLog(output)?.code ?? 'LOCAL_BROKER_FORMAT_FAILED',
      `kafka-storage format failed (exit code ${result.exitCode}) for ${propertiesFile}:\n${output}`,
      { retry: false },
    );
  }
}

/** A Kafka cluster id: 16 random bytes in URL-safe base64, never starting with "-" (read as an option). */
export function newClusterId(): string {
  for (;;) {
    const id = randomBytes(16).toString('base64url');
    if (!id.startsWith('-')) return id;
  }
}
