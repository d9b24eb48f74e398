// `npm run redrive -- <consumer>`: replays a consumer's dead letters after their cause is fixed. Logs go
// to stderr; the result is one JSON line on stdout, so scripts can read it.
import { z } from 'zod';
import { ConfigError, kafkaSettings, logSettings, parseEnv } from '@wapipe/config';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { createLogger } from '@wapipe/observability';
import { HelpRequested, REDRIVE_USAGE, UsageError, parseRedriveArgs } from './args.ts';
import { listDeadLetters, redriveDeadLetters, redriveGroupId } from './redrive.ts';

const redriveEnv = z.object({ ...kafkaSettings, ...logSettings });

async function main(): Promise<number> {
  let args: ReturnType<typeof parseRedriveArgs>;
  let env: z.infer<typeof redriveEnv>;
  try {
    args = parseRedriveArgs(process.argv.slice(2));
    env = parseEnv(redriveEnv);
  } catch (error) {
    if (error instanceof HelpRequested) {
      process.stdout.write(`${REDRIVE_USAGE}\n`);
      return 0;
    }
    if (error instanceof UsageError || error instanceof ConfigError) {
      process.stderr.write(`${error.message}\n\n${REDRIVE_USAGE}\n`);
      return 2;
    }
    throw error;
  }
  if (!env.KAFKA_BROKERS) {
    process.stderr.write(
      `KAFKA_BROKERS is required: the broker that holds the dead letters\n\n${REDRIVE_USAGE}\n`,
    );
    return 2;
  }
  const logger = createLogger({
    level: env.LOG_LEVEL,
    base: { tool: 'redrive' },
    write: (line) => process.stderr.write(line + '\n'),
  });
  const kafka = await connectKafka({
    brokers: env.KAFKA_BROKERS,
    clientId: `${env.KAFKA_CLIENT_ID}-redrive`,
    logger,
    security: env,
  });
  const topics = topicCatalog(env.TOPIC_PREFIX);
  try {
    if (args.list) {
      const listed = await listDeadLetters(kafka, topics, args.consumer);
      for (const item of listed) process.stdout.write(JSON.stringify(item) + '\n');
      return 0;
    }
    const producer = createCoalescingProducer(kafka, { ackTimeoutMs: 10_000 });
    try {
      const result = await redriveDeadLetters({
        kafka,
        topics,
        consumer: args.consumer,
        groupId: redriveGroupId(env.TOPIC_PREFIX, args.consumer),
        producer,
        logger,
        idleMs: args.idleMs,
        timeoutMs: args.timeoutMs,
      });
      process.stdout.write(JSON.stringify(result) + '\n');
    } finally {
      await producer.close();
    }
    return 0;
  } finally {
    await kafka.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`redrive failed: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
