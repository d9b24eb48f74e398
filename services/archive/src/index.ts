// The archive consumer alone: `KAFKA_BROKERS=… CLICKHOUSE_URL=… npm start -w @wapipe/archive`.
import { runConsumerMain } from '@wapipe/pipeline';
import { archiveEnv, startArchive } from './app.ts';

await runConsumerMain({ name: 'archive', envSchema: archiveEnv, start: startArchive });
