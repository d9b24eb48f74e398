// Issue 13: the alert notifier retried a 3xx answer from the receiver forever, so one redirecting receiver
// stopped every later alert. A 3xx is a rejection: not followed, not retried, logged naming the setting.
import { describe, expect, it } from 'vitest';
import { createLogger } from '@wapipe/observability';
import { suiteClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
  isoAt,
  metricValue,
  sessionStatus,
  startFailuresUnderTest,
  startReceiver,
} from '../../../test/support/failures-service.ts';

const brokers = testBrokers();

describe('failures consumer: the alert webhook', () => {
  const db = suiteClickHouse();

  it('a receiver that answers 302 has that alert rejected once, and the next alert still goes out', async () => {
    // The receiver redirects every "opened" alert and takes everything else.
    const receiver = await startReceiver((_n, request) =>
      (JSON.parse(request.body) as { action?: string }).action === 'opened' ? 302 : 200,
    );
    const lines: string[] = [];
    const logger = createLogger({ level: 'warn', write: (line) => lines.push(line) });
    const withCredentials =
      receiver.url.replace('http://', 'http://ops:hunter2-webhook-pass@') + '?token=tok123';
    const service = await startFailuresUnderTest(
      brokers,
      db.options,
      { ALERT_WEBHOOK_URL: withCredentials, ALERT_WEBHOOK_TIMEOUT_MS: '2000' },
      { logger },
    );
    const session = uniqueName('sess');
    try {
      await service.produce([sessionStatus(session, 'ERROR', isoAt(1))]);
      await waitFor('the opened alert POSTed', () => receiver.posts.length >= 1);
      await service.produce([sessionStatus(session, 'CONNECTED', isoAt(2))]);
      await waitFor('the resolved alert delivered', () => receiver.delivered().length >= 1);

      // One POST each: the redirect was neither followed nor retried.
      expect(
        receiver.posts.map((p) => [p.status, (JSON.parse(p.body) as { action: string }).action]),
      ).toEqual([
        [302, 'opened'],
        [200, 'resolved'],
      ]);
      expect(
        await metricValue(service.registry, 'wapipe_failures_alert_posts_total', { outcome: 'rejected' }),
      ).toBe(1);
      const redirectLog = lines.find((l) => l.includes('redirect'));
      expect(redirectLog).toBeDefined();
      expect(JSON.parse(redirectLog!)).toMatchObject({
        level: 'error',
        status: 302,
        webhook: receiver.url,
      });
      expect(redirectLog).toContain('ALERT_WEBHOOK_URL');
      for (const line of lines) {
        expect(line).not.toContain('hunter2-webhook-pass');
        expect(line).not.toContain('tok123');
      }
    } finally {
      await service.stop();
      await receiver.close();
    }
  });
});
