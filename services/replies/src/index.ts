// The replies consumer alone: `KAFKA_BROKERS=… CLICKHOUSE_URL=… npm start -w @wapipe/replies`.
import { runConsumerMain } from '@wapipe/pipeline';
import { makeRepliesProcess, repliesEnv, repliesMigrations } from './app.ts';

await runConsumerMain({
  name: 'replies',
  envSchema: repliesEnv,
  migrations: await repliesMigrations(),
  makeProcess: (env, deps) => makeRepliesProcess(env, deps),
});
