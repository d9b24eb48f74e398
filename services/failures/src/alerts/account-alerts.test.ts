import { describe, expect, it } from 'vitest';
import { AlertBook } from './alert-book.ts';
import type { Alert } from './alert-book.ts';
import { applyAccountSignals } from './account-alerts.ts';
import type { AccountSignal } from './account-alerts.ts';

const summary = (book: AlertBook) => book.changes.map((c) => `${c.action}:${c.alert.kind}`);

describe('account alerts', () => {
  const failure = (minute: number, code = '368'): AccountSignal => ({
    type: 'failure',
    occurredAt: `2026-11-29T10:0${minute}:00.000Z`,
    eventId: `f-${minute}`,
    code,
    title: 'blocked',
    providerMessageId: `m-${minute}`,
  });
  const sent = (minute: number): AccountSignal => ({
    type: 'sent',
    occurredAt: `2026-11-29T10:0${minute}:00.000Z`,
    providerMessageId: `s-${minute}`,
  });

  it('account failures open one critical alert that a later sent message resolves', () => {
    const book = new AlertBook([]);
    applyAccountSignals(book, 's1', [sent(0), failure(1), failure(2), sent(3)]);
    expect(summary(book)).toEqual(['opened:account_blocked', 'resolved:account_blocked']);
    expect(book.changes[0]!.alert.severity).toBe('critical');
  });

  it('a message sent before the block does not resolve it', () => {
    const open: Alert = {
      id: 'a1',
      sessionId: 's1',
      kind: 'account_blocked',
      severity: 'critical',
      status: 'open',
      openedAt: '2026-11-29T10:05:00.000Z',
      resolvedAt: null,
      detail: {},
      version: 1,
    };
    const book = new AlertBook([open]);
    applyAccountSignals(book, 's1', [sent(1)]);
    expect(book.changes).toEqual([]);
  });
});
