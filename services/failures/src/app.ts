// The failures consumer as a startable unit: index.ts runs it alone, the all-in-one runs it beside the
// others. With ALERT_WEBHOOK_URL set it also runs the alert notifier, in its own consumer group.
import { loadMigrations } from '@wapipe/clickhouse';
import type { Logger, Registry } from '@wapipe/observability';
import { startConsumerService } from '@wapipe/pipeline';
import type { RunningConsumer } from '@wapipe/pipeline';
import type { FailuresEnv } from './env.ts';
import { failuresCounters, registerStateGauges } from './metrics.ts';
import { createAlertNotifier } from './notifier/alert-notifier.ts';
import { createFailuresHandler } from './handler.ts';
import type { FailureSettings } from './handler.ts';

export { failuresEnv } from './env.ts';
export type { FailuresEnv } from './env.ts';
export { createFailuresHandler } from './handler.ts';
export type { FailureSettings, FailuresHandlerOptions } from './handler.ts';
export type { Alert } from './alerts/alert-book.ts';
export { ADVICE } from './retry-advice.ts';
export type { Advice, RetryAdviceRecord } from './retry-advice.ts';
export { dlqDepth, listDeadLetters, redriveDeadLetters, redriveGroupId } from './redrive/redrive.ts';
export type { ListedDeadLetter, RedriveOptions, RedriveResult } from './redrive/redrive.ts';

export const failuresMigrations = () => loadMigrations(new URL('../migrations/', import.meta.url));

export function failureSettings(env: FailuresEnv): FailureSettings {
  return {
    backoffSeconds: env.RETRY_BACKOFF_SECONDS,
    accountCodes: new Set(env.ACCOUNT_ALERT_CODES),
    rate: {
      windowMinutes: env.FAILURE_RATE_WINDOW_MINUTES,
      threshold: env.FAILURE_RATE_THRESHOLD,
      minMessages: env.FAILURE_RATE_MIN_MESSAGES,
    },
    recipient: {
      threshold: env.RECIPIENT_FAILURE_THRESHOLD,
      windowMs: env.RECIPIENT_FAILURE_WINDOW_HOURS * 3_600_000,
    },
  };
}

export async function startFailures(
  env: FailuresEnv & { KAFKA_BROKERS: string[] },
  context: { logger: Logger; registry: Registry },
): Promise<RunningConsumer> {
  const counters = failuresCounters(context.registry);
  const running = await startConsumerService({
    name: 'failures',
    env,
    migrations: await failuresMigrations(),
    logger: context.logger,
    registry: context.registry,
    handler: (deps) =>
      createFailuresHandler({
        ch: deps.ch,
        topics: deps.topics,
        settings: failureSettings(env),
        metrics: { repeats: counters.repeats },
      }),
  });
  const logger = context.logger.child({ service: 'failures' });
  const { topics, producer } = running;
  const unregister = registerStateGauges(context.registry, {
    ch: running.ch,
    kafka: running.kafka,
    topics,
    logger,
  });

  const notifier = env.ALERT_WEBHOOK_URL
    ? createAlertNotifier({
        kafka: running.kafka,
        topics,
        groupId: env.ALERT_NOTIFIER_GROUP ?? `${env.TOPIC_PREFIX}.failures.alert-notifier`,
        producer,
        url: env.ALERT_WEBHOOK_URL,
        timeoutMs: env.ALERT_WEBHOOK_TIMEOUT_MS,
        logger,
        registry: context.registry,
        posts: counters.alertPosts,
      })
    : undefined;
  try {
    await notifier?.start();
  } catch (error) {
    unregister();
    await running.stop();
    throw error;
  }
  return {
    ...running,
    async stop() {
      await notifier?.stop();
      unregister();
      await running.stop();
    },
  };
}
