// The body of a consumer service's index.ts: parse env, start, serve /healthz /readyz /metrics on PORT,
// stop cleanly on SIGINT/SIGTERM (finish the batch in hand, commit, close).
import { serve } from '@hono/node-server';
import { Hono } from 'hono';
import type { z } from 'zod';
import { loadEnvOrExit } from '@wapipe/config';
import { healthRoutes } from '@wapipe/http';
import { createLogger, createRegistry } from '@wapipe/observability';
import { startConsumerService } from './consumer-service.ts';
import type { ConsumerEnv } from './consumer-service.ts';

type StartOptions = Parameters<typeof startConsumerService>[0];

export async function runConsumerMain<S extends z.ZodObject>(options: {
  name: StartOptions['name'];
  envSchema: S;
  migrations: StartOptions['migrations'];
  makeProcess(
    env: z.infer<S> & ConsumerEnv,
    deps: Parameters<StartOptions['makeProcess']>[0],
  ): ReturnType<StartOptions['makeProcess']>;
}): Promise<void> {
  const env = loadEnvOrExit(options.envSchema) as z.infer<S> & ConsumerEnv;
  const logger = createLogger({ level: env.LOG_LEVEL, base: { service: options.name } });
  if (!env.KAFKA_BROKERS) {
    logger.error(
      `KAFKA_BROKERS is required when ${options.name} runs alone (npm start runs everything with a local broker)`,
    );
    process.exit(2);
  }
  const registry = createRegistry({ defaultMetrics: true });
  const running = await startConsumerService({
    name: options.name,
    env: { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS },
    migrations: options.migrations,
    logger,
    registry,
    makeProcess: (deps) => options.makeProcess(env, deps),
  });
  const app = new Hono();
  app.route(
    '/',
    healthRoutes({
      registry,
      checks: { kafka: () => running.kafka.isReachable(), clickhouse: () => running.ch.ping() },
    }),
  );
  const server = serve({ fetch: app.fetch, port: env.PORT, hostname: '0.0.0.0' });
  let stopping = false;
  for (const signal of ['SIGINT', 'SIGTERM'] as const) {
    process.on(signal, () => {
      if (stopping) return;
      stopping = true;
      logger.info('stopping', { signal });
      server.close();
      void running.stop().then(() => process.exit(0));
    });
  }
}
