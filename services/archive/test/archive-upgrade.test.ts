// Migration 0006 moved new requests to a table with small granules and the views to it alone: requests
// archived before it must still answer a message's lookup, byte for byte, after the archive's next start.
import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { migrate } from '@wapipe/clickhouse';
import { archiveMigrations } from '@wapipe/archive';
import { applyRawRetention, moveLegacyRequests } from '../src/retention.ts';
import { suiteClickHouse } from '../../../test/harness/clickhouse.ts';

describe('archive upgrade to migration 0006', () => {
  const db = suiteClickHouse();

  it('moves requests archived before it into the new table, once, and serves them', async () => {
    const { ch } = db;
    const all = await archiveMigrations();
    await migrate(ch, { owner: 'archive', migrations: all.filter((m) => m.version <= 4) });
    const body = '{"object":"whatsapp_business_account","entry":[]}';
    const sha256 = createHash('sha256').update(body).digest('hex');
    const receivedAt = new Date(Date.now() - 60_000).toISOString();
    const where = { session_id: 'sess-old', received_at: receivedAt, kafka_partition: 3, kafka_offset: 41 };
    await ch.insert({
      table: 'archive_raw_requests',
      rows: [
        {
          ...where,
          provider: 'meta',
          kind: 'webhook',
          content_type: 'application/json',
          request_id: 'req-old',
          body,
          sha256,
          archived_at: receivedAt,
        },
      ],
    });
    await ch.insert({
      table: 'archive_message_requests',
      rows: [{ ...where, provider_message_id: 'wamid.old' }],
    });

    await migrate(ch, { owner: 'archive', migrations: all });
    expect(await moveLegacyRequests(ch)).toBe(1);
    expect(await moveLegacyRequests(ch)).toBe(0);
    await applyRawRetention(ch, 86_400_000);

    // The view the API's message lookup reads.
    const found = await ch.query({
      query: `SELECT body, sha256, toString(kafka_offset) AS offset
        FROM ${ch.table('archive_message_raw_v1')}(session = {session:String}, ids = {ids:Array(String)})`,
      params: { session: 'sess-old', ids: ['wamid.old'] },
      schema: z.object({ body: z.string(), sha256: z.string(), offset: z.string() }),
    });
    expect(found).toEqual([{ body, sha256, offset: '41' }]);
    const [legacy] = await ch.query({
      query: `SELECT count() AS n FROM ${ch.table('archive_raw_requests')}`,
      schema: z.object({ n: z.coerce.number() }),
    });
    expect(legacy?.n).toBe(0);
  });
});
