// `npm run redrive -- <consumer>`: replays a consumer's dead letters after their cause is fixed. Logs go
// to stderr; the result is one JSON line on stdout, so scripts can read it.
import { z } from 'zod';
import { kafkaSettings, logSettings, parseEnv, runCommand } from '@wapipe/config';
import { connectKafka, createCoalescingProducer, topicCatalog } from '@wapipe/kafka';
import { createLogger } from '@wapipe/observability';
import { REDRIVE_USAGE, parseRedriveArgs } from './args.ts';
import { listDeadLetters, redriveDeadLetters, redriveGroupId } from './redrive.ts';

const redriveEnv = z.object({ ...kafkaSettings, ...logSettings });

async function main(): Promise<number> {
  const args = parseRedriveArgs(process.argv.slice(2));
  const env = parseEnv(redriveEnv);
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

runCommand('redrive', REDRIVE_USAGE, main);
