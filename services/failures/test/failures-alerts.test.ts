// Operator alerts on the real broker and engine: each opens once per condition, resolves when it clears,
// is published once on the alerts topic and POSTed once to a real local webhook receiver — through
// duplicated and re-batched deliveries.
import { describe, expect, it } from 'vitest';
import { suiteClickHouse } from '../../../test/harness/clickhouse.ts';
import { testBrokers, uniqueName, waitFor } from '../../../test/harness/kafka.ts';
import {
  alertsOf,
  isoAt,
  json,
  metaBody,
  metaStatus,
  metricValue,
  rawRecord,
  sessionStatus,
  startFailuresUnderTest,
  startReceiver,
} from '../../../test/support/failures-service.ts';
import type { FailuresUnderTest } from '../../../test/support/failures-service.ts';
import type { ProducedRecord } from '@wapipe/kafka';

const brokers = testBrokers();

describe('failures consumer: alerts', () => {
  const db = suiteClickHouse();

  const alertEvents = (records: Awaited<ReturnType<FailuresUnderTest['follow']>>, session: string) =>
    records.map(json).filter((a) => a['sessionId'] === session);

  it('a disconnect alerts once, a reconnect resolves it, and the webhook gets each change once', async () => {
    // The receiver is down for its first answer: the notifier must retry, never repeat a delivered POST.
    const receiver = await startReceiver((n) => (n === 0 ? 503 : 200));
    const service = await startFailuresUnderTest(brokers, db.options, {
      ALERT_WEBHOOK_URL: receiver.url,
      ALERT_WEBHOOK_TIMEOUT_MS: '2000',
    });
    const session = uniqueName('sess');
    try {
      const topic = await service.follow(service.topics.alerts);
      const error = sessionStatus(session, 'ERROR', isoAt(1), 'stream errored out');
      const stopped = sessionStatus(session, 'STOPPED', isoAt(2));
      await service.produce([error, error, stopped, error]);
      await waitFor('the disconnect alert', async () => (await alertsOf(db.ch, session)).length === 1);
      await waitFor('all records committed', () => service.committed() >= 4);
      const [opened] = await alertsOf(db.ch, session);
      expect(opened).toMatchObject({
        kind: 'session_disconnected',
        severity: 'critical',
        status: 'open',
      });
      expect(JSON.parse(opened!.detail)).toMatchObject({ status: 'ERROR', reason: 'stream errored out' });
      const openDisconnects = () =>
        metricValue(service.registry, 'wapipe_failures_open_alerts', {
          kind: 'session_disconnected',
          severity: 'critical',
        });
      await waitFor('the open-alerts gauge at 1', async () => (await openDisconnects()) === 1);

      const connected = sessionStatus(session, 'CONNECTED', isoAt(3));
      await service.produce([connected, connected]);
      await waitFor(
        'the alert resolved',
        async () => (await alertsOf(db.ch, session))[0]?.status === 'resolved',
      );
      // Then a QR request, and connected again.
      const qr = sessionStatus(session, 'QR_REQUIRED', isoAt(4));
      const again = sessionStatus(session, 'CONNECTED', isoAt(5));
      await service.produce([qr, again, qr, again]);
      await waitFor('all records committed', () => service.committed() >= 10);

      const alerts = await alertsOf(db.ch, session);
      // A state alert's version is the number of the session's states known when it was last derived.
      expect(alerts.map((a) => [a.kind, a.status, a.version])).toEqual([
        ['session_disconnected', 'resolved', 3],
        ['session_qr_required', 'resolved', 5],
      ]);
      expect(alerts[0]).toMatchObject({ opened_at: isoAt(1), resolved_at: isoAt(3) });

      await waitFor('four alert records read', () => alertEvents(topic, session).length >= 4);
      expect(await service.endOffset(service.topics.alerts)).toBe(4);
      expect(alertEvents(topic, session).map((a) => `${String(a['action'])}:${String(a['kind'])}`)).toEqual([
        'opened:session_disconnected',
        'resolved:session_disconnected',
        'opened:session_qr_required',
        'resolved:session_qr_required',
      ]);

      await waitFor('every alert change POSTed', () => receiver.delivered().length >= 4, {
        timeoutMs: 30_000,
      });
      const keys = receiver.delivered().map((p) => p.headers['idempotency-key']);
      expect(new Set(keys).size).toBe(4);
      expect(keys).toEqual(alertEvents(topic, session).map((a) => a['alertEventId']));
      // The refused first attempt was retried with the same key; nothing else was sent twice.
      expect(receiver.posts[0]!.status).toBe(503);
      expect(receiver.posts[0]!.headers['idempotency-key']).toBe(keys[0]);
      expect(receiver.posts.length).toBe(5);
      expect(JSON.parse(receiver.delivered()[1]!.body)).toMatchObject({
        action: 'resolved',
        kind: 'session_disconnected',
        status: 'resolved',
      });
      await waitFor('the open-alerts gauge back at 0', async () => (await openDisconnects()) === 0);
    } finally {
      await service.stop();
      await receiver.close();
    }
  });

  it('account-level failures open one critical alert, and a message sent afterwards resolves it', async () => {
    const service = await startFailuresUnderTest(brokers, db.options);
    const session = uniqueName('sess');
    try {
      const blocked = [1, 2, 3].map((n) =>
        metaStatus({
          id: `wamid.${session}.${n}`,
          status: 'failed',
          at: isoAt(n),
          recipient: `4477009000${n}`,
          codes: [n === 2 ? 131031 : 368],
        }),
      );
      const records = [
        ...blocked.map((s) => rawRecord('meta', session, metaBody({ statuses: [s] }))),
        rawRecord('meta', session, metaBody({ statuses: blocked })),
      ];
      await service.produce([...records, ...records]);
      await waitFor('all records committed', () => service.committed() >= 8);
      const open = await alertsOf(db.ch, session);
      expect(open.map((a) => [a.kind, a.severity, a.status])).toEqual([
        ['account_blocked', 'critical', 'open'],
      ]);
      expect(JSON.parse(open[0]!.detail)).toMatchObject({
        code: '368',
        providerMessageId: `wamid.${session}.1`,
      });

      const sent = metaStatus({
        id: `wamid.${session}.ok`,
        status: 'sent',
        at: isoAt(10),
        recipient: '447700900100',
      });
      await service.produce([rawRecord('meta', session, metaBody({ statuses: [sent] }))]);
      await waitFor(
        'the alert resolved',
        async () => (await alertsOf(db.ch, session))[0]?.status === 'resolved',
      );
      expect(await service.endOffset(service.topics.alerts)).toBe(2);
    } finally {
      await service.stop();
    }
  });

  it('a failure rate over the threshold fires exactly once, however its statuses are batched and repeated', async () => {
    const service = await startFailuresUnderTest(brokers, db.options);
    const [busy, healthy] = [uniqueName('busy'), uniqueName('healthy')];
    try {
      const topic = await service.follow(service.topics.alerts);
      // 30 messages over two minutes, 6 failed (20%); and 30 with 2 failed (6.7%) on another session.
      const statusesOf = (session: string, failures: number) =>
        Array.from({ length: 30 }, (_, i) =>
          metaStatus({
            id: `wamid.${session}.${i}`,
            status:
              i % Math.floor(30 / failures) === 0 && i / Math.floor(30 / failures) < failures
                ? 'failed'
                : 'sent',
            at: isoAt(Math.floor(i / 15), i % 15),
            recipient: `4477${String(i).padStart(8, '0')}`,
            ...(i % Math.floor(30 / failures) === 0 && i / Math.floor(30 / failures) < failures
              ? { codes: [131026] }
              : {}),
          }),
        );
      // Phase 1: the first 15 statuses of each session (too few to judge). Phase 2: the other 15, so the
      // threshold is crossed against stored statuses. Phase 3: everything again, singly and re-batched.
      const phases: ProducedRecord[][] = [[], [], []];
      for (const session of [busy, healthy]) {
        const statuses = statusesOf(session, session === busy ? 6 : 2);
        const single = statuses.map((s) => rawRecord('meta', session, metaBody({ statuses: [s] })));
        const rebatched = [0, 10, 20].map((i) =>
          rawRecord('meta', session, metaBody({ statuses: statuses.slice(i, i + 10) })),
        );
        phases[0]!.push(...single.slice(0, 15));
        phases[1]!.push(...single.slice(15));
        phases[2]!.push(...rebatched, ...single, rawRecord('meta', session, metaBody({ statuses })));
      }
      let produced = 0;
      for (const phase of phases) {
        await service.produce(phase);
        produced += phase.length;
        await waitFor('the phase committed', () => service.committed() >= produced, { timeoutMs: 60_000 });
        if (phase === phases[0]) expect(await alertsOf(db.ch, busy)).toEqual([]);
      }

      const alerts = await alertsOf(db.ch, busy);
      expect(alerts.map((a) => [a.kind, a.status])).toEqual([['failure_rate', 'open']]);
      const detail = JSON.parse(alerts[0]!.detail) as Record<string, number>;
      expect(detail['messages']).toBeGreaterThanOrEqual(20);
      expect(detail['rate']).toBeGreaterThan(0.1);
      expect(await alertsOf(db.ch, healthy)).toEqual([]);
      await waitFor('the alert record read', () => topic.length >= 1);
      expect(await service.endOffset(service.topics.alerts)).toBe(1);
      expect(json(topic[0]!)).toMatchObject({
        action: 'opened',
        kind: 'failure_rate',
        sessionId: busy,
        severity: 'warning',
      });
    } finally {
      await service.stop();
    }
  });

  it('repeated non-delivery to one recipient opens one alert that names that recipient', async () => {
    const service = await startFailuresUnderTest(brokers, db.options);
    const session = uniqueName('sess');
    try {
      const failedTo = (n: number, recipient: string, hour: number) =>
        metaStatus({
          id: `wamid.${session}.${n}`,
          status: 'failed',
          at: new Date(Date.UTC(2026, 10, 29, hour)).toISOString(),
          recipient,
          codes: [131026],
        });
      const statuses = [
        failedTo(1, '447700900001', 8),
        failedTo(2, '447700900002', 9),
        failedTo(3, '447700900001', 12),
        failedTo(4, '447700900002', 13),
        failedTo(5, '447700900001', 20),
      ];
      const records = statuses.map((s) => rawRecord('meta', session, metaBody({ statuses: [s] })));
      await service.produce([...records, rawRecord('meta', session, metaBody({ statuses })), ...records]);
      await waitFor('all records committed', () => service.committed() >= 11);
      const alerts = await alertsOf(db.ch, session);
      expect(alerts.map((a) => [a.kind, a.severity, a.status])).toEqual([
        ['recipient_non_delivery', 'warning', 'open'],
      ]);
      expect(JSON.parse(alerts[0]!.detail)).toEqual({
        recipients: ['447700900001'],
        threshold: 3,
        windowHours: 24,
      });
      expect(await service.endOffset(service.topics.alerts)).toBe(1);
    } finally {
      await service.stop();
    }
  });
});
