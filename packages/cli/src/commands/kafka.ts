// `wapipe redrive` and `wapipe replay`: the commands that talk to Kafka itself (the all-in-one's local
// broker by default), each showing progress on stderr and its result on stdout.
import type { Command } from 'commander';
import type { ConsumerName, KafkaConnection } from '@wapipe/kafka';
import type { Logger, LogLevel } from '@wapipe/observability';
import { CliError, UsageError } from '../errors.ts';
import { brokerList, example, parseTime, positiveInt, withKafka } from '../options.ts';
import type { KafkaCliOptions } from '../options.ts';
import { paintErr, say } from '../output.ts';

// Kafka, the failures service and the replay are loaded by the command that needs them, so that --help and
// the HTTP commands start fast.
const kafkaModule = () => import('@wapipe/kafka');

async function consumerName(value: string): Promise<ConsumerName> {
  const { consumerNames } = await kafkaModule();
  if (!(consumerNames as readonly string[]).includes(value)) {
    throw new UsageError(
      `unknown consumer ${JSON.stringify(value)}; expected one of ${consumerNames.join(', ')}`,
    );
  }
  return value as ConsumerName;
}

// kafkajs's own lines (retries, rebalances) are noise here: the command says what went wrong itself.
// LOG_LEVEL shows them, on stderr.
const logger = async (): Promise<Logger> => {
  const { createLogger, silentLogger } = await import('@wapipe/observability');
  const level = process.env['LOG_LEVEL'] as LogLevel | undefined;
  return level
    ? createLogger({ level, base: { tool: 'wapipe' }, write: (line) => process.stderr.write(line + '\n') })
    : silentLogger;
};

async function withKafkaConnection<T>(
  o: KafkaCliOptions,
  work: (kafka: KafkaConnection) => Promise<T>,
): Promise<T> {
  const brokers = brokerList(o);
  if (brokers.length === 0) throw new UsageError('--brokers needs host:port (or set KAFKA_BROKERS)');
  const { connectKafka } = await kafkaModule();
  let kafka: KafkaConnection;
  try {
    kafka = await connectKafka({
      brokers,
      clientId: 'wapipe-cli',
      logger: await logger(),
      connectTimeoutMs: 5_000,
    });
  } catch {
    throw new CliError(
      `cannot reach Kafka at ${brokers.join(',')}: is \`wapipe start\` running? set KAFKA_BROKERS or --brokers to its broker`,
    );
  }
  try {
    return await work(kafka);
  } finally {
    await kafka.close();
  }
}

/** One progress line: rewritten in place on a terminal, at most once a second otherwise. */
function progressLine() {
  const tty = process.stderr.isTTY === true;
  let last = 0;
  return {
    update(text: string, force = false) {
      if (tty) process.stderr.write(`\r\u001b[2K${text}`);
      else if (force || Date.now() - last >= 1_000) {
        process.stderr.write(`${text}\n`);
        last = Date.now();
      }
    },
    done(text: string) {
      if (tty) process.stderr.write(`\r\u001b[2K${text}\n`);
      else process.stderr.write(`${text}\n`);
    },
  };
}

export function kafkaCommands(program: Command): void {
  const redrive = withKafka(
    program
      .command('redrive')
      .description("copy a consumer's dead letters back for it to process again (fix their cause first)")
      .argument('<consumer>', 'the consumer: delivery, replies or failures')
      .option('--list', 'print the dead letters and why they are there; copy nothing')
      .option('--idle-seconds <n>', 'stop after this long without a dead letter', '3'),
  ).action(async (name: string, o: KafkaCliOptions & { list?: boolean; idleSeconds: string }) => {
    const consumer = await consumerName(name);
    const idleMs = positiveInt('--idle-seconds', o.idleSeconds, 3_600) * 1_000;
    const { createCoalescingProducer, topicCatalog } = await kafkaModule();
    const { dlqDepth, listDeadLetters, redriveDeadLetters, redriveGroupId } =
      await import('@wapipe/failures');
    await withKafkaConnection(o, async (kafka) => {
      const topics = topicCatalog(o.prefix);
      if (o.list) {
        for (const item of await listDeadLetters(kafka, topics, consumer)) say(JSON.stringify(item));
        return;
      }
      const waiting = await dlqDepth(kafka, topics, consumer);
      const progress = progressLine();
      progress.update(`redrive ${consumer}: ${waiting} dead letter${waiting === 1 ? '' : 's'} to copy`, true);
      const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 10_000 });
      const timer = setInterval(() => {
        void dlqDepth(kafka, topics, consumer).then(
          (left) => progress.update(`redrive ${consumer}: ${Math.max(0, waiting - left)}/${waiting} copied`),
          () => undefined,
        );
      }, 500);
      try {
        const result = await redriveDeadLetters({
          kafka,
          topics,
          consumer,
          groupId: redriveGroupId(o.prefix, consumer),
          producer,
          logger: await logger(),
          idleMs,
        });
        clearInterval(timer);
        progress.done(
          `${paintErr('green', '✓')} redrive ${consumer}: ${result.copied} copied into ${result.to}`,
        );
        say(JSON.stringify(result));
      } finally {
        clearInterval(timer);
        await producer.close();
      }
    });
  });
  example(redrive, 'wapipe redrive delivery --list', 'wapipe redrive delivery');

  const replay = withKafka(
    program
      .command('replay')
      .description('re-read a time range of the raw topic into one consumer (safe: it drops what it stored)')
      .argument('<consumer>', 'the consumer: delivery, replies or failures')
      .requiredOption('--from <time>', 'start of the range (ISO-8601, or a time ago: 15m, 2h, 7d)')
      .option('--to <time>', 'end of the range, excluded', 'now'),
  ).action(async (name: string, o: KafkaCliOptions & { from: string; to: string }) => {
    const consumer = await consumerName(name);
    const now = Date.now();
    const from = parseTime('--from', o.from, now);
    const to = parseTime('--to', o.to, now);
    if (from >= to) throw new UsageError('--from must be before --to');
    const { createCoalescingProducer, topicCatalog } = await kafkaModule();
    const { replayRange } = await import('../replay.ts');
    await withKafkaConnection(o, async (kafka) => {
      const progress = progressLine();
      const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 10_000 });
      try {
        const result = await replayRange({
          kafka,
          topics: topicCatalog(o.prefix),
          consumer,
          from,
          to,
          producer,
          onProgress: (p) =>
            progress.update(`replay ${consumer}: ${p.read}/${p.total} read, ${p.copied} copied`),
        });
        progress.done(
          `${paintErr('green', '✓')} replay ${consumer}: ${result.copied} of ${result.total} records copied for ${consumer}` +
            (result.skipped ? ` (${result.skipped} redriven for another consumer left alone)` : ''),
        );
        say(JSON.stringify(result));
      } finally {
        await producer.close();
      }
    });
  });
  example(
    replay,
    'wapipe replay delivery --from 2h',
    'wapipe replay replies --from 2026-11-29T10:00:00Z --to 2026-11-29T11:00:00Z',
  );
}
