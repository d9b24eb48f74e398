import { describe, expect, it } from 'vitest';
import { deriveRateAlerts, windowCounts } from './failure-rate.ts';
import type { NewMark } from './failure-rate.ts';
import { deriveAccountAlerts } from './account-alerts.ts';
import type { AccountSignal } from './account-alerts.ts';
import { deriveRecipientAlerts } from './recipient-alerts.ts';
import type { RecipientFailure } from './recipient-alerts.ts';
import { shuffle } from './shuffle.test-support.ts';

const settings = { windowMinutes: 5, threshold: 0.1, minMessages: 20 };
const M = 29_000_000; // an epoch minute

const mark = (minute: number, id: string, failed = false): NewMark => ({
  minute,
  providerMessageId: id,
  failed,
  occurredAt: new Date((minute * 60 + 1) * 1000).toISOString(),
});

function marks(minute: number, sent: number, failed: number, prefix = 'm'): NewMark[] {
  return [
    ...Array.from({ length: sent }, (_, i) => mark(minute, `${prefix}${i}`)),
    ...Array.from({ length: failed }, (_, i) => mark(minute, `${prefix}f${i}`, true)),
  ];
}

const rate = (all: NewMark[], from = M - 10) =>
  deriveRateAlerts('s1', windowCounts(all, from, 5), Math.max(...all.map((m) => m.minute)), settings, 7);

describe('failure-rate alerts', () => {
  it('a message counts once per window, whatever its number of statuses there', () => {
    const [w] = windowCounts([mark(M, 'a'), mark(M + 1, 'a'), mark(M + 1, 'a', true)], M + 1, 5);
    expect(w).toMatchObject({ end: M + 1, messages: 1, failed: 1 });
  });

  it('opens at the first window over the threshold, resolves at a later non-overlapping one', () => {
    const all = [...marks(M, 18, 4, 'a'), ...marks(M + 10, 30, 0, 'b')];
    const [alert, ...rest] = rate(all);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({
      status: 'resolved',
      openedAt: mark(M, 'x').occurredAt,
      resolvedAt: mark(M + 10, 'x').occurredAt,
      version: 7,
      detail: { windowEndMinute: M, messages: 22, failed: 4, resolvedWindowEndMinute: M + 10 },
    });
  });

  it('too few messages, or a rate at the threshold, never alert', () => {
    expect(rate(marks(M, 10, 9))).toEqual([]);
    expect(rate(marks(M, 18, 2))).toEqual([]);
  });

  it('a window still filling (after the newest status) does not resolve', () => {
    expect(rate(marks(M, 18, 4)).map((a) => a.status)).toEqual(['open']);
  });

  it('the same marks in any order give the same alerts', () => {
    const all = [...marks(M, 18, 4, 'a'), ...marks(M + 10, 30, 0, 'b'), ...marks(M + 20, 15, 10, 'c')];
    const first = rate(all);
    expect(first.map((a) => a.status)).toEqual(['resolved', 'open']);
    for (let seed = 1; seed < 5; seed++) expect(rate(shuffle(all, seed))).toEqual(first);
  });
});

describe('account alerts', () => {
  const failure = (minute: number, id: string): AccountSignal => ({
    type: 'failure',
    occurredAt: new Date((M + minute) * 60_000).toISOString(),
    eventId: id,
    code: '368',
    title: 'blocked',
    providerMessageId: `wamid.${id}`,
  });
  const sent = (minute: number, id: string): AccountSignal => ({
    type: 'sent',
    occurredAt: new Date((M + minute) * 60_000).toISOString(),
    providerMessageId: id,
  });

  it('a failure opens, the first sent after it resolves, a later failure opens again', () => {
    const signals = [
      sent(0, 's0'),
      failure(1, 'f1'),
      failure(2, 'f2'),
      sent(3, 's3'),
      sent(4, 's4'),
      failure(5, 'f5'),
    ];
    const alerts = deriveAccountAlerts('s1', signals, 3);
    expect(alerts.map((a) => [a.detail['failureEventId'], a.status, a.resolvedAt])).toEqual([
      ['f1', 'resolved', sent(3, '').occurredAt],
      ['f5', 'open', null],
    ]);
    for (let seed = 1; seed < 5; seed++)
      expect(deriveAccountAlerts('s1', shuffle(signals, seed), 3)).toEqual(alerts);
  });
});

describe('recipient alerts', () => {
  const hour = (h: number) => new Date(Date.UTC(2026, 10, 29, h)).toISOString();
  const f = (recipient: string, id: string, h: number): RecipientFailure => ({
    recipient,
    providerMessageId: id,
    at: hour(h),
    eventId: `e-${id}`,
  });
  const rs = { threshold: 3, windowMs: 24 * 3_600_000 };
  const derive = (failures: RecipientFailure[], newest: number) =>
    deriveRecipientAlerts('s1', failures, hour(-100), hour(newest), rs, 1);

  it('three failed messages in a day open; the alert resolves a window after the first of them', () => {
    const failures = [f('r1', 'a', 0), f('r1', 'b', 5), f('r1', 'c', 20), f('r2', 'd', 1)];
    expect(derive(failures, 21).map((a) => [a.status, a.openedAt, a.resolvedAt])).toEqual([
      ['open', hour(20), null],
    ]);
    expect(derive(failures, 30).map((a) => [a.status, a.openedAt, a.resolvedAt])).toEqual([
      ['resolved', hour(20), hour(24)],
    ]);
  });

  it('several codes of one message count once; spread over days nothing opens', () => {
    expect(derive([f('r1', 'a', 0), { ...f('r1', 'a', 0), eventId: 'e-a2' }, f('r1', 'b', 1)], 2)).toEqual(
      [],
    );
    expect(derive([f('r1', 'a', 0), f('r1', 'b', 20), f('r1', 'c', 44)], 50)).toEqual([]);
  });

  it('recipients over the line during one stretch share one alert, listed sorted, whatever the order', () => {
    const failures = [
      ...['a', 'b', 'c'].map((id, i) => f('r9', `9${id}`, i + 1)),
      ...['a', 'b', 'c'].map((id, i) => f('r1', `1${id}`, i + 2)),
    ];
    const [alert, ...rest] = derive(failures, 5);
    expect(rest).toEqual([]);
    expect(alert).toMatchObject({ status: 'open', openedAt: hour(3), detail: { recipients: ['r1', 'r9'] } });
    for (let seed = 1; seed < 5; seed++) expect(derive(shuffle(failures, seed), 5)).toEqual([alert]);
  });
});
