// The replies consumer alone: `KAFKA_BROKERS=… CLICKHOUSE_URL=… npm start -w @wapipe/replies`.
import { runConsumerMain } from '@wapipe/pipeline';
import { repliesEnv, startReplies } from './app.ts';

await runConsumerMain({ name: 'replies', envSchema: repliesEnv, start: startReplies });
