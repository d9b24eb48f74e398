// The failures consumer alone: `KAFKA_BROKERS=… CLICKHOUSE_URL=… npm start -w @wapipe/failures`.
// startFailures also runs the alert notifier and scrape-time gauges; its stop() stops them too.
import { runConsumerMain } from '@wapipe/pipeline';
import { failuresEnv, startFailures } from './app.ts';

await runConsumerMain({ name: 'failures', envSchema: failuresEnv, start: startFailures });
