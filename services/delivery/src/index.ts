// The delivery consumer alone: `KAFKA_BROKERS=… CLICKHOUSE_URL=… npm start -w @wapipe/delivery`.
import { runConsumerMain } from '@wapipe/pipeline';
import { deliveryEnv, startDelivery } from './app.ts';

await runConsumerMain({ name: 'delivery', envSchema: deliveryEnv, start: startDelivery });
