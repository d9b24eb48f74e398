// The archive consumer as a startable unit: index.ts runs it alone, the all-in-one beside the others.
// It keeps every raw record (exactly once, through the journal like every consumer) and the audit log.
import { loadMigrations } from '@wapipe/clickhouse';
import type { Logger, Registry } from '@wapipe/observability';
import { startConsumerService } from '@wapipe/pipeline';
import type { RunningConsumer } from '@wapipe/pipeline';
import { createAuditLogConsumer } from './audit-log.ts';
import type { ArchiveEnv } from './env.ts';
import { archiveBatch } from './raw-requests.ts';
import { applyRawRetention, moveLegacyRequests } from './retention.ts';

export { archiveEnv } from './env.ts';
export type { ArchiveEnv } from './env.ts';
export { RAW_REQUESTS_VIEW } from './retention.ts';

export const archiveMigrations = () => loadMigrations(new URL('../migrations/', import.meta.url));

export async function startArchive(
  env: ArchiveEnv & { KAFKA_BROKERS: string[] },
  context: { logger: Logger; registry: Registry },
): Promise<RunningConsumer> {
  const running = await startConsumerService({
    name: 'archive',
    env,
    migrations: await archiveMigrations(),
    logger: context.logger,
    registry: context.registry,
    // Raw records arrive larger than events: a fetch of 6 MB keeps a unit's journal row moderate.
    fetch: { maxBytes: 6 * 1024 * 1024, maxBytesPerPartition: 2 * 1024 * 1024 },
    // Staged, like delivery: the next unit is read and prepared while this one is stored, and the two
    // tables apply on connections of their own. prepare keeps no state between units, so reset has
    // nothing to drop.
    handler: () => ({
      prepare: async (_events, { records }) => archiveBatch(records),
      reset: () => {},
    }),
  });
  const audit = createAuditLogConsumer({
    kafka: running.kafka,
    ch: running.ch,
    topics: running.topics,
    groupId: `${env.TOPIC_PREFIX}.archive.audit`,
    producer: running.producer,
    registry: context.registry,
  });
  try {
    const moved = await moveLegacyRequests(running.ch);
    if (moved > 0) context.logger.info('moved requests into the table with small granules', { moved });
    await applyRawRetention(running.ch, env.RAW_RETENTION);
    await audit.start();
  } catch (error) {
    await running.stop();
    throw error;
  }
  return {
    ...running,
    async stop() {
      await audit.stop();
      await running.stop();
    },
  };
}
