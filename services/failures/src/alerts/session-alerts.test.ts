import { describe, expect, it } from 'vitest';
import { AlertBook, alertRecord } from './alert-book.ts';
import type { Alert } from './alert-book.ts';
import { applyAccountSignals, applySessionStates } from './session-alerts.ts';
import type { AccountSignal, SessionStateSignal } from './session-alerts.ts';

const state = (status: string, minute: number): SessionStateSignal => ({
  eventId: `${status}-${minute}`,
  status,
  reason: null,
  occurredAt: `2026-11-29T10:${String(minute).padStart(2, '0')}:00.000Z`,
});

const summary = (book: AlertBook) => book.changes.map((c) => `${c.action}:${c.alert.kind}`);

describe('session alerts', () => {
  it('a disconnect opens one alert and a reconnect resolves it, in one batch or two', () => {
    const together = new AlertBook([]);
    applySessionStates(together, 's1', undefined, [state('CONNECTED', 5), state('ERROR', 1)]);
    expect(summary(together)).toEqual(['opened:session_disconnected', 'resolved:session_disconnected']);

    const first = new AlertBook([]);
    applySessionStates(first, 's1', undefined, [state('ERROR', 1)]);
    const stored = first.changes.map((c) => c.alert);
    const second = new AlertBook(stored);
    applySessionStates(second, 's1', { occurredAt: state('ERROR', 1).occurredAt, eventId: 'ERROR-1' }, [
      state('CONNECTED', 5),
    ]);
    expect([...summary(first), ...summary(second)]).toEqual(summary(together));
    expect(second.changes[0]!.alert).toMatchObject({ id: stored[0]!.id, status: 'resolved', version: 2 });
  });

  it('repeated disconnect reports keep one alert open', () => {
    const book = new AlertBook([]);
    applySessionStates(book, 's1', undefined, [state('ERROR', 1), state('STOPPED', 2), state('ERROR', 3)]);
    expect(summary(book)).toEqual(['opened:session_disconnected']);
  });

  it('a QR request opens its own alert, and CONNECTED resolves every session alert', () => {
    const book = new AlertBook([]);
    applySessionStates(book, 's1', undefined, [
      state('ERROR', 1),
      state('QR_REQUIRED', 2),
      state('STARTING', 3),
      state('CONNECTED', 4),
    ]);
    expect(summary(book)).toEqual([
      'opened:session_disconnected',
      'opened:session_qr_required',
      'resolved:session_disconnected',
      'resolved:session_qr_required',
    ]);
  });

  it('a report older than the latest stored state changes no alert', () => {
    const book = new AlertBook([]);
    applySessionStates(book, 's1', { occurredAt: state('CONNECTED', 5).occurredAt, eventId: 'CONNECTED-5' }, [
      state('ERROR', 1),
    ]);
    expect(book.changes).toEqual([]);
  });

  it('alert records carry an id per version, so a replay publishes the same ids', () => {
    const run = () => {
      const book = new AlertBook([]);
      applySessionStates(book, 's1', undefined, [state('ERROR', 1), state('CONNECTED', 2)]);
      return book.changes.map(
        (c) => (JSON.parse(alertRecord(c).value) as { alertEventId: string }).alertEventId,
      );
    };
    const ids = run();
    expect(new Set(ids).size).toBe(2);
    expect(run()).toEqual(ids);
  });
});

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
