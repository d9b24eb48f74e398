// Everything in one process: the local broker (unless KAFKA_BROKERS), embedded ClickHouse (unless
// CLICKHOUSE_URL), the ingress and the API on one port, and the four consumers, each with its own group
// and its own ClickHouse connection. Stopping runs the other way round, each step once the one before has
// finished: intake, the consumers (each commits what it holds), the API, and the broker last, so nothing is
// still talking to Kafka when it goes.
import { Hono } from 'hono';
import { startApi } from '@wapipe/api';
import { startArchive } from '@wapipe/archive';
import { urlWithoutCredentials } from '@wapipe/config';
import { startDelivery } from '@wapipe/delivery';
import { startFailures } from '@wapipe/failures';
import {
  answerUnmatchedAsJson,
  healthOperations,
  healthRoutes,
  openApiRoutes,
  requestIdMiddleware,
} from '@wapipe/http';
import type { OperationDoc, ReadinessChecks } from '@wapipe/http';
import { INGRESS_VERSION, ingressOperations, startIngress } from '@wapipe/ingress';
import type { LocalBroker } from '@wapipe/local-kafka';
import type { Logger, Registry } from '@wapipe/observability';
import { startReplies } from '@wapipe/replies';
import type { AllInOneEnv } from './env.ts';

export { allInOneEnv } from './env.ts';
export type { AllInOneEnv } from './env.ts';

type Stop = () => Promise<void>;

export interface RunningPipeline {
  app: Hono;
  brokers: string[];
  stop(): Promise<void>;
}

export const ALL_IN_ONE_DOCUMENT_INFO = {
  title: 'wapipe',
  version: INGRESS_VERSION,
  description:
    'WhatsApp webhooks in, delivery analytics out. Providers post signed webhooks to `/webhooks/*`; the ' +
    'operator registers sessions and outbound messages and reads everything under `/v1` with ' +
    '`Authorization: Bearer <key>` (API_KEYS). Errors are `{ "error": { "code", "message" } }`.',
};

/** One server for everything: health, the whole document, the ingress's routes and the API's. */
export function allInOneApp(parts: {
  registry: Registry;
  checks: ReadinessChecks;
  ingress: Hono;
  api: { app: Hono; operations: readonly OperationDoc[] };
}): Hono {
  const app = new Hono();
  app.use('*', requestIdMiddleware());
  app.route('/', healthRoutes({ registry: parts.registry, checks: parts.checks }));
  // Before the services' apps, whose own /openapi.json and /docs describe only themselves.
  const operations = [...healthOperations, ...ingressOperations, ...parts.api.operations];
  app.route('/', openApiRoutes(ALL_IN_ONE_DOCUMENT_INFO, operations).app);
  app.route('/', parts.ingress);
  app.route('/', parts.api.app);
  // Hono answers unmatched requests with the serving app's handler, so this one needs it too.
  answerUnmatchedAsJson(app);
  return app;
}

export async function startPipeline(
  env: AllInOneEnv,
  context: { logger: Logger; registry: Registry },
): Promise<RunningPipeline> {
  const { logger } = context;
  // Filled in start order; stopAll runs the steps in the order above (an unstarted one is skipped).
  const steps: {
    intake?: Stop;
    consumers: Array<{ name: string; stop: Stop }>;
    api?: Stop;
    broker?: Stop;
  } = { consumers: [] };
  const stopAll = async () => {
    const run = async (what: string, stop: Stop | undefined) => {
      if (stop === undefined) return;
      const started = performance.now();
      await stop().then(
        () => logger.info(`stopped ${what}`, { ms: Math.round(performance.now() - started) }),
        (error: unknown) => logger.warn('stop failed', { what, error: (error as Error).message }),
      );
    };
    await run('intake (ingress)', steps.intake);
    await Promise.all(steps.consumers.map(({ name, stop }) => run(`the ${name} consumer`, stop)));
    await run('the api', steps.api);
    await run('the local Kafka broker', steps.broker);
  };
  try {
    let brokers = env.KAFKA_BROKERS;
    if (!brokers) {
      logger.info('starting the local Kafka broker (KAFKA_BROKERS is unset)', { port: env.KAFKA_LOCAL_PORT });
      // A dev tool, loaded only when it is used: a deployment with KAFKA_BROKERS never needs it.
      const { startLocalBroker } = await import('@wapipe/local-kafka');
      const broker: LocalBroker = await startLocalBroker({
        port: env.KAFKA_LOCAL_PORT,
        controllerPort: env.KAFKA_LOCAL_PORT + 1,
        dataDir: env.KAFKA_DATA_DIR,
        onProgress: (message: string) => logger.info(message),
      });
      steps.broker = broker.stop;
      brokers = broker.brokers;
    }
    const withBrokers = { ...env, KAFKA_BROKERS: brokers };
    logger.info(env.CLICKHOUSE_URL ? 'using ClickHouse over HTTP' : 'using embedded ClickHouse', {
      clickhouse: env.CLICKHOUSE_URL ? urlWithoutCredentials(env.CLICKHOUSE_URL) : env.CHDB_PATH,
    });

    const consumers = {
      delivery: startDelivery,
      replies: startReplies,
      failures: startFailures,
      archive: startArchive,
    };
    for (const [name, startConsumer] of Object.entries(consumers)) {
      // The group the api's GET /v1/consumers reads for it (CONSUMER_GROUPS), else `<prefix>.<name>`.
      const group = env.CONSUMER_GROUPS[name as keyof typeof consumers];
      const consumer = await startConsumer({ ...withBrokers, CONSUMER_GROUP: group }, context);
      steps.consumers.push({ name, stop: () => consumer.stop() });
    }
    const api = await startApi(withBrokers, context);
    steps.api = () => api.stop();
    const ingress = await startIngress(withBrokers, context);
    steps.intake = () => ingress.stop();

    const app = allInOneApp({
      registry: context.registry,
      checks: { kafka: () => ingress.kafka.isReachable(), clickhouse: () => api.ch.ping() },
      ingress: ingress.app,
      api: { app: api.app, operations: api.operations },
    });
    return { app, brokers, stop: stopAll };
  } catch (error) {
    await stopAll();
    throw error;
  }
}
