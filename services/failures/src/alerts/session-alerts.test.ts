import { describe, expect, it } from 'vitest';
import { alertRecord } from './alert-book.ts';
import type { Alert } from './alert-book.ts';
import { deriveStateAlerts, reconcileStateAlerts } from './session-alerts.ts';
import type { SessionStateSignal } from './session-alerts.ts';

const state = (status: string, minute: number): SessionStateSignal => ({
  eventId: `${status}-${minute}`,
  status,
  reason: null,
  occurredAt: `2026-11-29T10:${String(minute).padStart(2, '0')}:00.000Z`,
});
const minute = (m: number) => `2026-11-29T10:${String(m).padStart(2, '0')}:00.000Z`;

const summary = (alerts: Alert[]) => alerts.map((a) => `${a.kind}:${a.status}:${a.openedAt}:${a.resolvedAt}`);

/** Feeds `arrivals` batch by batch as the consumer does: derive from all known states, reconcile, store. */
function feed(arrivals: SessionStateSignal[][]) {
  const stored = new Map<string, Alert>();
  const actions: string[] = [];
  const known: SessionStateSignal[] = [];
  for (const batch of arrivals) {
    known.push(...batch);
    const { rows, changes } = reconcileStateAlerts(
      deriveStateAlerts('s1', known, known.length),
      [...stored.values()],
      known.length,
    );
    for (const row of rows) stored.set(row.id, row);
    actions.push(...changes.map((c) => `${c.action}:${c.alert.kind}`));
  }
  const visible = [...stored.values()]
    .filter((a) => a.status !== 'withdrawn')
    .sort((a, b) => (a.openedAt < b.openedAt ? -1 : 1));
  return { visible: summary(visible), actions, stored };
}

describe('session-state alerts', () => {
  it('QR_REQUIRED then CONNECTED gives one resolved alert, whichever arrived first', () => {
    const qr = state('QR_REQUIRED', 1);
    const connected = state('CONNECTED', 31);
    const inOrder = feed([[qr], [connected]]);
    const reversed = feed([[connected], [qr]]);
    expect(inOrder.visible).toEqual([`session_qr_required:resolved:${minute(1)}:${minute(31)}`]);
    expect(reversed.visible).toEqual(inOrder.visible);
    // Announced once as opened and once as resolved either way.
    expect(inOrder.actions).toEqual(['opened:session_qr_required', 'resolved:session_qr_required']);
    expect(reversed.actions).toEqual(inOrder.actions);
  });

  it('repeated disconnect reports keep one alert open; CONNECTED resolves every kind', () => {
    const { visible } = feed([
      [
        state('ERROR', 1),
        state('STOPPED', 2),
        state('QR_REQUIRED', 3),
        state('STARTING', 4),
        state('ERROR', 5),
      ],
      [state('CONNECTED', 6)],
    ]);
    expect(visible).toEqual([
      `session_disconnected:resolved:${minute(1)}:${minute(6)}`,
      `session_qr_required:resolved:${minute(3)}:${minute(6)}`,
    ]);
  });

  it('an earlier report of the same outage arriving late takes the alert over and withdraws the other', () => {
    const { visible, actions, stored } = feed([[state('ERROR', 5)], [state('STOPPED', 2)]]);
    expect(visible).toEqual([`session_disconnected:open:${minute(2)}:null`]);
    expect(actions).toEqual([
      'opened:session_disconnected',
      'opened:session_disconnected',
      'withdrawn:session_disconnected',
    ]);
    const withdrawn = [...stored.values()].find((a) => a.status === 'withdrawn')!;
    const cover = [...stored.values()].find((a) => a.status === 'open')!;
    expect(withdrawn.detail['withdrawnFor']).toBe(cover.id);
    // A CONNECTED in between, arriving later still, brings the withdrawn alert back.
    const again = feed([[state('ERROR', 5)], [state('STOPPED', 2)], [state('CONNECTED', 3)]]);
    expect(again.visible).toEqual([
      `session_disconnected:resolved:${minute(2)}:${minute(3)}`,
      `session_disconnected:open:${minute(5)}:null`,
    ]);
  });

  it('a late CONNECTED moves a resolution earlier in storage without announcing it again', () => {
    const { visible, actions } = feed([[state('ERROR', 1), state('CONNECTED', 9)], [state('CONNECTED', 4)]]);
    expect(visible).toEqual([`session_disconnected:resolved:${minute(1)}:${minute(4)}`]);
    expect(actions).toEqual(['opened:session_disconnected', 'resolved:session_disconnected']);
  });

  it('nothing changes when the states give what is stored', () => {
    const states = [state('ERROR', 1), state('CONNECTED', 2)];
    const derived = deriveStateAlerts('s1', states, 2);
    expect(reconcileStateAlerts(deriveStateAlerts('s1', states, 3), derived, 3)).toEqual({
      rows: [],
      changes: [],
    });
  });

  it('records of one batch have distinct ids, and a replay publishes the same ones', () => {
    const run = () =>
      reconcileStateAlerts(
        deriveStateAlerts('s1', [state('QR_REQUIRED', 1), state('CONNECTED', 2)], 2),
        [],
        2,
      ).changes.map((c) => (JSON.parse(alertRecord(c).value) as { alertEventId: string }).alertEventId);
    const ids = run();
    expect(new Set(ids).size).toBe(2);
    expect(run()).toEqual(ids);
  });
});
