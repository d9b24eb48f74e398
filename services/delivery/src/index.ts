// The delivery consumer alone: `KAFKA_BROKERS=… CLICKHOUSE_URL=… npm start -w @wapipe/delivery`.
import { runConsumerMain } from '@wapipe/pipeline';
import { deliveryEnv, deliveryMetrics, deliveryMigrations } from './app.ts';
import { createDeliveryProcess } from './process.ts';

await runConsumerMain({
  name: 'delivery',
  envSchema: deliveryEnv,
  migrations: await deliveryMigrations(),
  makeProcess: (_env, { ch, topics, registry }) =>
    createDeliveryProcess({
      ch,
      transitionsTopic: topics.statusTransitions,
      metrics: deliveryMetrics(registry),
    }),
});
