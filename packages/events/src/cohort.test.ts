import { describe, expect, it } from 'vitest';
import { cohortMinute, cohortTime, earlierPricing } from './cohort.ts';

describe('cohortTime', () => {
  it('is the registered sentAt, else the earliest status, else none', () => {
    expect(cohortTime('2026-01-02T03:04:05.000Z', '2026-01-01T00:00:00.000Z')).toBe(
      '2026-01-02T03:04:05.000Z',
    );
    expect(cohortTime(null, 1_000)).toBe(1_000);
    expect(cohortTime<number>(null, null)).toBeNull();
  });
});

describe('cohortMinute', () => {
  it('floors an ISO or epoch time to its UTC minute', () => {
    expect(cohortMinute('2026-01-02T03:04:59.999Z')).toBe('2026-01-02 03:04:00');
    expect(cohortMinute(Date.parse('2026-01-02T05:04:05+02:00'))).toBe('2026-01-02 03:04:00');
  });
});

describe('earlierPricing', () => {
  const at = (s: string) => `2026-01-01T00:00:0${s}.000Z`;
  it('keeps the category of the earliest status that reports one, in any order', () => {
    const statuses = [
      { pricingCategory: 'utility', occurredAt: at('3') },
      { pricingCategory: null, occurredAt: at('0') },
      { pricingCategory: 'marketing', occurredAt: at('1') },
      { pricingCategory: 'authentication', occurredAt: at('1') },
    ];
    for (const order of [statuses, [...statuses].reverse()]) {
      expect(order.reduce(earlierPricing, null)).toEqual({
        category: 'authentication',
        at: Date.parse(at('1')),
      });
    }
  });
});
