import { describe, expect, it } from 'vitest';
import { AlertBook } from './alert-book.ts';
import type { Alert } from './alert-book.ts';
import { affectedWindowEnds, applyFailureRate, windowCounts } from './failure-rate.ts';
import type { NewMark, StoredMark, WindowCount } from './failure-rate.ts';

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

const evaluate = (
  book: AlertBook,
  newMarks: NewMark[],
  stored = new Map<number, WindowCount>(),
  storedMarks: StoredMark[] = [],
) => {
  const ends = affectedWindowEnds(
    newMarks.map((m) => m.minute),
    settings.windowMinutes,
  );
  applyFailureRate(
    book,
    's1',
    windowCounts(ends, 5, stored, storedMarks, newMarks),
    Math.max(...newMarks.map((m) => m.minute)),
    settings,
  );
};

describe('failure-rate windows', () => {
  it('every window that contains a changed minute is evaluated', () => {
    expect(affectedWindowEnds([M, M + 1], 5)).toEqual([M, M + 1, M + 2, M + 3, M + 4, M + 5]);
  });

  it('a message counts once per window, with its sent and failed statuses in different minutes', () => {
    const newMarks = [mark(M, 'a'), mark(M + 1, 'a', true), mark(M + 1, 'b')];
    const [w] = windowCounts([M + 1], 5, new Map(), [], newMarks);
    expect(w).toMatchObject({ messages: 2, failed: 1 });
  });

  it('new marks of messages already counted in a window do not count again', () => {
    const stored = new Map([[M + 1, { end: M + 1, messages: 1, failed: 0, lastAt: null }]]);
    const [w] = windowCounts(
      [M + 1],
      5,
      stored,
      [{ minute: M, providerMessageId: 'a', failed: false }],
      [mark(M + 1, 'a', true)],
    );
    expect(w).toMatchObject({ messages: 1, failed: 1 });
  });
});

describe('failure-rate alert', () => {
  it('fires once when the rate is over the threshold with enough messages', () => {
    const book = new AlertBook([]);
    evaluate(book, marks(M, 18, 3));
    expect(book.changes.map((c) => c.action)).toEqual(['opened']);
    expect(book.changes[0]!.alert.detail).toMatchObject({ messages: 21, failed: 3, windowEndMinute: M });
  });

  it('does not fire below the minimum number of messages, or at the threshold', () => {
    const few = new AlertBook([]);
    evaluate(few, marks(M, 10, 9));
    expect(few.changes).toEqual([]);
    const atThreshold = new AlertBook([]);
    evaluate(atThreshold, marks(M, 18, 2));
    expect(atThreshold.changes).toEqual([]);
  });

  it('fires once however the same statuses are split into batches', () => {
    // Failures spread through the stream, so the threshold is crossed part-way and later batches re-check.
    const all = marks(M, 40, 8).sort((a, b) =>
      a.providerMessageId.slice(-1) < b.providerMessageId.slice(-1) ? -1 : 1,
    );
    for (const size of [1, 7, 13, all.length]) {
      const stored: NewMark[] = [];
      let alerts: Alert[] = [];
      const actions: string[] = [];
      for (let i = 0; i < all.length; i += size) {
        const batch = all.slice(i, i + size);
        const storedWindows = new Map<number, WindowCount>();
        for (const end of affectedWindowEnds(
          batch.map((m) => m.minute),
          5,
        )) {
          storedWindows.set(end, windowCounts([end], 5, new Map(), [], stored)[0]!);
        }
        const book = new AlertBook(alerts);
        evaluate(book, batch, storedWindows);
        actions.push(...book.changes.map((c) => c.action));
        alerts = [
          ...alerts.filter((a) => !book.changes.some((c) => c.alert.id === a.id)),
          ...book.changes.map((c) => c.alert),
        ];
        stored.push(...batch);
      }
      expect(actions).toEqual(['opened']);
    }
  });

  it('resolves at a later window at or below the threshold, and that incident never reopens', () => {
    const book = new AlertBook([]);
    evaluate(book, marks(M, 18, 4));
    const opened = book.changes.map((c) => c.alert);
    const later = new AlertBook(opened);
    evaluate(later, marks(M + 5, 30, 1, 'n'));
    expect(later.changes.map((c) => c.action)).toEqual(['resolved']);
    expect(later.changes[0]!.alert.detail).toMatchObject({ resolvedWindowEndMinute: M + 5 });

    const afterResolve = new AlertBook(later.changes.map((c) => c.alert));
    evaluate(
      afterResolve,
      [mark(M + 2, 'late', true)],
      new Map([[M + 2, { end: M + 2, messages: 22, failed: 4, lastAt: null }]]),
    );
    expect(afterResolve.changes).toEqual([]);
  });

  it('an overlapping window does not resolve the alert', () => {
    const book = new AlertBook([]);
    evaluate(book, marks(M, 18, 4));
    const next = new AlertBook(book.changes.map((c) => c.alert));
    evaluate(next, marks(M + 2, 100, 0, 'n'));
    expect(next.changes).toEqual([]);
  });
});
