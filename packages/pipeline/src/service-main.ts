// The body of a consumer service's index.ts: parse env, start the service, serve /healthz /readyz /metrics
// on PORT, stop cleanly on SIGINT/SIGTERM (finish the batch in hand, commit, close).
import { Hono } from 'hono';
import type { z } from 'zod';
import { loadEnvOrExit } from '@wapipe/config';
import {
  answerUnmatchedAsJson,
  healthRoutes,
  requestIdMiddleware,
  serveUntilSignal,
  startOrExit,
} from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import type { Logger, Registry } from '@wapipe/observability';
import type { ConsumerEnv, RunningConsumer } from './service-start.ts';

export async function runConsumerMain<S extends z.ZodObject>(options: {
  name: string;
  envSchema: S;
  /** The service's own start function (the one the all-in-one calls too). */
  start(
    env: z.infer<S> & ConsumerEnv,
    context: { logger: Logger; registry: Registry },
  ): Promise<RunningConsumer>;
}): Promise<void> {
  const env = loadEnvOrExit(options.envSchema) as z.infer<S> & ConsumerEnv;
  const logger = createLogger({ level: env.LOG_LEVEL, base: { service: options.name } });
  const registry = createRegistry({ defaultMetrics: true, build: { service: options.name } });
  const running = await startOrExit(logger, () => options.start(env, { logger, registry }));
  const app = new Hono();
  app.use('*', requestIdMiddleware());
  app.route(
    '/',
    healthRoutes({
      registry,
      checks: { kafka: () => running.kafka.isReachable(), clickhouse: () => running.ch.ping() },
    }),
  );
  answerUnmatchedAsJson(app);
  serveUntilSignal({ fetch: app.fetch, port: env.PORT, logger, stop: () => running.stop() });
}
