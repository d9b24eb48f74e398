import { describe, expect, it } from 'vitest';
import { AlertBook } from './alert-book.ts';
import { applyRecipientFailures, firstCrossing, perMessage } from './recipient-alerts.ts';
import type { RecipientFailure } from './recipient-alerts.ts';

const settings = { threshold: 3, windowMs: 24 * 3_600_000 };
const at = (hour: number) => new Date(Date.UTC(2026, 10, 29, hour)).toISOString();
const f = (id: string, hour: number, isNew = true): RecipientFailure => ({
  providerMessageId: id,
  at: at(hour),
  eventId: `e-${id}`,
  isNew,
});

describe('repeated non-delivery', () => {
  it('three failed messages within a day cross the threshold; spread over days they do not', () => {
    expect(firstCrossing(perMessage([f('a', 0), f('b', 5), f('c', 20)]), settings)?.providerMessageId).toBe(
      'c',
    );
    expect(firstCrossing(perMessage([f('a', 0), f('b', 20), f('c', 44)]), settings)).toBeNull();
  });

  it('several failure codes of one message count as one failed message', () => {
    const twoCodes = [f('a', 0), { ...f('a', 0), eventId: 'e-a2' }, f('b', 1)];
    expect(firstCrossing(perMessage(twoCodes), settings)).toBeNull();
  });

  it('stored failures alone never open an alert again', () => {
    expect(
      firstCrossing(perMessage([f('a', 0, false), f('b', 1, false), f('c', 2, false)]), settings),
    ).toBeNull();
  });

  it('opens one alert per session listing each recipient, and resolves a day later', () => {
    const book = new AlertBook([]);
    applyRecipientFailures(
      book,
      's1',
      new Map([
        ['r1', [f('a', 0), f('b', 1), f('c', 2)]],
        ['r2', [f('d', 1)]],
      ]),
      at(2),
      settings,
    );
    expect(book.changes.map((c) => c.action)).toEqual(['opened']);
    expect(book.changes[0]!.alert.detail).toMatchObject({ recipients: ['r1'] });

    const next = new AlertBook(book.changes.map((c) => c.alert));
    applyRecipientFailures(
      next,
      's1',
      new Map([['r2', [f('d', 1, false), f('e', 3), f('g', 4)]]]),
      at(4),
      settings,
    );
    expect(next.changes.map((c) => [c.action, c.alert.detail['recipients']])).toEqual([
      ['updated', ['r1', 'r2']],
    ]);

    const later = new AlertBook(next.changes.map((c) => c.alert));
    const stored = new Map([
      ['r1', [f('a', 0, false), f('b', 1, false), f('c', 2, false)]],
      ['r2', [f('d', 1, false), f('e', 3, false), f('g', 4, false)]],
    ]);
    applyRecipientFailures(later, 's1', stored, at(20), settings);
    expect(later.changes).toEqual([]);
    applyRecipientFailures(later, 's1', stored, at(29), settings);
    expect(later.changes.map((c) => c.action)).toEqual(['resolved']);
  });
});
