// The replies consumer as a startable unit; index.ts runs it alone, the all-in-one runs it beside others.
import { loadMigrations } from '@wapipe/clickhouse';
import type { TopicCatalog } from '@wapipe/kafka';
import { Counter, metricOnce } from '@wapipe/observability';
import type { Logger, Registry } from '@wapipe/observability';
import { startConsumerService } from '@wapipe/pipeline';
import type { JournalViews, RunningConsumer } from '@wapipe/pipeline';
import type { RepliesEnv } from './env.ts';
import { compileRules } from './follow-up-rules.ts';
import { keywordConfig } from './opt-outs.ts';
import { createRepliesHandler } from './handler.ts';
import type { RepliesMetrics } from './handler.ts';

export { repliesEnv } from './env.ts';
export type { RepliesEnv } from './env.ts';
export { DEFAULT_FOLLOW_UP_RULES, FollowUpRule } from './follow-up-rules.ts';
export { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS } from './opt-outs.ts';

export const repliesMigrations = () => loadMigrations(new URL('../migrations/', import.meta.url));

/** The replied rollups sum, so they hang off feeds of the change rows (migration 0012). */
export const repliesJournalViews: JournalViews = {
  feeds: [
    {
      source: 'replies_replied_changes',
      feed: 'replies_replied_minute_feed',
      target: 'replies_replied_minute',
    },
    { source: 'replies_replied_changes', feed: 'replies_replied_hour_feed', target: 'replies_replied_hour' },
  ],
};

const counter = <L extends string>(registry: Registry, name: string, help: string, labelNames: L[] = []) =>
  metricOnce(registry, name, () => new Counter<L>({ name, help, labelNames, registers: [registry] }));

export function repliesMetrics(registry: Registry): RepliesMetrics {
  return {
    stored: counter(registry, 'wapipe_replies_inbound_total', 'Inbound messages stored as replies'),
    repeats: counter(registry, 'wapipe_replies_repeats_total', 'Inbound messages dropped as already stored'),
    suppressions: counter(registry, 'wapipe_replies_suppressions_total', 'Suppression commands decided'),
    optChanges: counter(registry, 'wapipe_replies_opt_changes_total', 'Opt-out / opt-in commands decided', [
      'action',
    ]),
    followUps: counter(registry, 'wapipe_replies_follow_ups_total', 'Follow-up requests decided', ['rule']),
    relinks: counter(
      registry,
      'wapipe_replies_relinks_total',
      'Stored replies whose link moved when an outbound message became known',
    ),
  };
}

/** The handler for a parsed env. */
export function makeRepliesHandler(
  env: RepliesEnv,
  deps: { ch: Parameters<typeof createRepliesHandler>[0]['ch']; topics: TopicCatalog; registry: Registry },
) {
  return createRepliesHandler({
    ch: deps.ch,
    topics: deps.topics,
    config: {
      linkWindowMs: env.REPLY_LINK_WINDOW,
      keywords: keywordConfig(env.OPT_OUT_KEYWORDS, env.OPT_IN_KEYWORDS),
      rules: compileRules(env.FOLLOW_UP_RULES),
    },
    metrics: repliesMetrics(deps.registry),
  });
}

export async function startReplies(
  env: RepliesEnv & { KAFKA_BROKERS: string[] },
  context: { logger: Logger; registry: Registry },
): Promise<RunningConsumer> {
  return startConsumerService({
    name: 'replies',
    env,
    migrations: await repliesMigrations(),
    logger: context.logger,
    registry: context.registry,
    journalViews: repliesJournalViews,
    handler: (deps) => makeRepliesHandler(env, deps),
  });
}
