import { describe, expect, it } from 'vitest';
import { cohortRow, emptyFacts, newLatencySamples, statusOf, withStatus } from './facts.ts';
import type { MessageFacts } from './facts.ts';

const base = () => emptyFacts('s1', 'wamid.1', '15550001');
const apply = (f: MessageFacts, ...steps: [Parameters<typeof withStatus>[1], string][]) =>
  steps.reduce((acc, [status, at]) => withStatus(acc, status, at), f);

describe('message facts', () => {
  it('a registered message with no status is pending', () => {
    expect(
      statusOf({
        ...base(),
        registration: { messageId: 'm', sentAt: null, campaignId: null, category: null },
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
      registration: { messageId: 'm', sentAt: '2026-01-01T09:00:10.000Z', campaignId: null, category: null },
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
});
