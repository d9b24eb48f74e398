import { describe, expect, it } from 'vitest';
import {
  cohortRow,
  emptyFacts,
  latencyBin,
  newLatencySamples,
  sameCohortRow,
  statusOf,
  withStatus,
} from './facts.ts';
import type { MessageFacts } from './facts.ts';

const base = () => emptyFacts('s1', 'wamid.1', '15550001');
const apply = (f: MessageFacts, ...steps: [Parameters<typeof withStatus>[1], string][]) =>
  steps.reduce((acc, [status, at]) => withStatus(acc, status, at), f);

describe('message facts', () => {
  it('a registered message with no status is pending', () => {
    expect(
      statusOf({
        ...base(),
        registration: { messageId: 'm', sentAt: null, campaignId: null, category: null, template: null },
      }),
    ).toBe('pending');
  });

  it('the status is the same whatever order the statuses arrive in', () => {
    const steps: [Parameters<typeof withStatus>[1], string][] = [
      ['read', '2026-01-01T00:00:03.000Z'],
      ['sent', '2026-01-01T00:00:01.000Z'],
      ['delivered', '2026-01-01T00:00:02.000Z'],
    ];
    const forward = apply(base(), ...steps);
    const backward = apply(base(), ...[...steps].reverse());
    expect(statusOf(forward)).toBe('read');
    expect(forward).toEqual(backward);
  });

  it('a delivery after a failure supersedes it, but a failure after sent is failed', () => {
    expect(
      statusOf(apply(base(), ['sent', '2026-01-01T00:00:00.000Z'], ['failed', '2026-01-01T00:00:01.000Z'])),
    ).toBe('failed');
    const superseded = apply(
      base(),
      ['failed', '2026-01-01T00:00:01.000Z'],
      ['delivered', '2026-01-01T00:00:02.000Z'],
    );
    expect(statusOf(superseded)).toBe('delivered');
    expect(cohortRow(superseded)).toMatchObject({ delivered: 1, failed: 0 });
  });

  it('the cohort is the registered send time, else the earliest status', () => {
    const statuses = apply(
      base(),
      ['delivered', '2026-01-01T10:05:30.000Z'],
      ['sent', '2026-01-01T10:04:59.000Z'],
    );
    expect(cohortRow(statuses)?.minute).toBe('2026-01-01 10:04:00');
    const registered = {
      ...statuses,
      registration: {
        messageId: 'm',
        sentAt: '2026-01-01T09:00:10.000Z',
        campaignId: null,
        category: null,
        template: null,
      },
    };
    expect(cohortRow(registered)?.minute).toBe('2026-01-01 09:00:00');
  });

  it('each latency sample appears once, when both ends are first known', () => {
    const sent = apply(base(), ['sent', '2026-01-01T00:00:00.000Z']);
    const delivered = withStatus(sent, 'delivered', '2026-01-01T00:00:02.500Z');
    expect(newLatencySamples(sent, delivered)).toEqual([
      { metric: 'deliver', minute: '2026-01-01 00:00:00', ms: 2500 },
    ]);
    const again = withStatus(delivered, 'delivered', '2026-01-01T00:00:01.000Z');
    expect(newLatencySamples(delivered, again)).toEqual([]);
  });

  it('the cohort row carries the dimensions, and a late registration moves the message to its own', () => {
    const statuses = withStatus(
      emptyFacts('s1', 'wamid.2', '5511987654321'),
      'sent',
      '2026-01-01T10:00:00.000Z',
      'utility',
    );
    expect(cohortRow(statuses)).toMatchObject({
      country: 'BR',
      category: 'utility',
      campaign: '',
      template: '',
    });
    const registered = {
      ...statuses,
      registration: {
        messageId: 'm',
        sentAt: null,
        campaignId: 'spring',
        category: 'marketing',
        template: 'welcome_v2',
      },
    };
    expect(cohortRow(registered)).toMatchObject({
      campaign: 'spring',
      category: 'marketing',
      template: 'welcome_v2',
    });
    expect(sameCohortRow(cohortRow(statuses), cohortRow(registered))).toBe(false);
  });

  it("the category is the earliest priced status's, as replies and failures decide it, in any order", () => {
    // The later read reports a category that sorts first: the earlier sent's must still win (earlierPricing).
    const a = withStatus(
      withStatus(base(), 'sent', '2026-01-01T00:00:00.000Z', 'utility'),
      'read',
      '2026-01-01T00:00:09.000Z',
      'marketing',
    );
    const b = withStatus(
      withStatus(base(), 'read', '2026-01-01T00:00:09.000Z', 'marketing'),
      'sent',
      '2026-01-01T00:00:00.000Z',
      'utility',
    );
    expect(cohortRow(a)?.category).toBe('utility');
    expect(a).toEqual(b);
    // A stored status group reports its pricing at its earliest priced event, not at its earliest event.
    const stored = withStatus(
      withStatus(base(), 'sent', '2026-01-01T00:00:00.000Z', 'marketing', '2026-01-01T00:00:05.000Z'),
      'delivered',
      '2026-01-01T00:00:02.000Z',
      'utility',
    );
    expect(cohortRow(stored)?.category).toBe('utility');
  });

  it('time to deliver counts from the cohort time to the first delivered, else the first read', () => {
    const readFirst = apply(
      base(),
      ['sent', '2026-01-01T00:00:00.000Z'],
      ['read', '2026-01-01T00:00:04.000Z'],
    );
    expect(cohortRow(readFirst)).toMatchObject({ deliver_ms: 4000, read_ms: 4000 });
    const both = withStatus(readFirst, 'delivered', '2026-01-01T00:00:07.000Z');
    expect(cohortRow(both)).toMatchObject({ deliver_ms: 7000, read_ms: 4000 });
  });

  it('latency bins keep 3 significant digits, rounding down by under 1%', () => {
    expect([
      latencyBin(0),
      latencyBin(999.7),
      latencyBin(1234),
      latencyBin(999_999),
      latencyBin(1_234_567),
    ]).toEqual([0, 999, 1230, 999_000, 1_230_000]);
    for (const ms of [1001, 5555, 87_654, 3_600_001]) {
      expect(latencyBin(ms)).toBeLessThanOrEqual(ms);
      expect(latencyBin(ms)).toBeGreaterThan(ms * 0.99);
    }
  });
});
