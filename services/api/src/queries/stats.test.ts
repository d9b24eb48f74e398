import { describe, expect, it } from 'vitest';
import { bucketStarts } from '../params.ts';
import { assembleStats } from './stats.ts';

describe('assembleStats', () => {
  const starts = bucketStarts(new Date('2026-11-29T10:00:00Z'), new Date('2026-11-29T13:00:00Z'), 'hour');

  it('fills buckets with no rows with zeros and adds up the totals', () => {
    const stats = assembleStats(starts, [
      { start: '2026-11-29T11:00:00.000Z', sent: 10, delivered: 8, read: 4, failed: 1, replies: 3 },
      { start: '2026-11-29T10:00:00.000Z', sent: 10, delivered: 10, read: 0, failed: 0, replies: 0 },
    ]);
    expect(stats.buckets.map((b) => [b.start, b.sent])).toEqual([
      ['2026-11-29T10:00:00.000Z', 10],
      ['2026-11-29T11:00:00.000Z', 10],
      ['2026-11-29T12:00:00.000Z', 0],
    ]);
    expect(stats.totals).toEqual({
      sent: 20,
      delivered: 18,
      read: 4,
      failed: 1,
      replies: 3,
      deliveryRate: 0.9,
      readRate: 0.2,
      failureRate: 0.05,
    });
  });

  it('answers null rates when nothing was sent', () => {
    const stats = assembleStats(starts, [
      { start: '2026-11-29T12:00:00.000Z', sent: 0, delivered: 0, read: 0, failed: 0, replies: 2 },
    ]);
    expect(stats.totals).toMatchObject({
      sent: 0,
      replies: 2,
      deliveryRate: null,
      readRate: null,
      failureRate: null,
    });
  });
});
