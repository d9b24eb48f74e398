// For the "same events, same answers" tests of session alerts: generated session states, the orders and
// batchings they are fed in, and the alerts answer read through the real API app.
import type { ClickHouse } from '@wapipe/clickhouse';
import { createApiApp, memorySessionDirectory } from '@wapipe/api';
import type { ProducedRecord } from '@wapipe/kafka';
import { silentLogger } from '@wapipe/observability';
import { waitFor } from '../harness/kafka.ts';
import { rng } from './delivery-stream.ts';
import { isoAt, metaBody, metaStatus, rawRecord, sessionStatus } from './failures-service.ts';
import type { FailuresUnderTest } from './failures-service.ts';

const API_KEY = 'failures-order-test-key';

export interface GeneratedState {
  sessionId: string;
  status: string;
  at: string;
  record: ProducedRecord;
}

const STATUSES = ['CONNECTED', 'ERROR', 'STOPPED', 'QR_REQUIRED', 'STARTING'] as const;

/**
 * `perSession` states for each session at random minutes of one hour; some share a minute (ties are broken
 * by event id). Each state is one ChatSend report, so sending its record again is the provider's retry.
 */
export function generateSessionStates(
  sessions: string[],
  perSession: number,
  seed: number,
): GeneratedState[] {
  const random = rng(seed);
  const states: GeneratedState[] = [];
  for (const sessionId of sessions) {
    const seen = new Set<string>();
    while (seen.size < perSession) {
      const status = STATUSES[Math.floor(random() * STATUSES.length)]!;
      const minute = Math.floor(random() * 40);
      if (seen.has(`${status}@${minute}`)) continue;
      seen.add(`${status}@${minute}`);
      const at = isoAt(minute);
      states.push({ sessionId, status, at, record: sessionStatus(sessionId, status, at) });
    }
  }
  return states;
}

export interface GeneratedStatus {
  sessionId: string;
  at: string;
  record: ProducedRecord;
}

/**
 * Meta statuses of `perSession` messages per session, each its own webhook: every message is `sent`, and
 * `failed` a minute later to one of four recipients with a recipient code (counts towards
 * `recipient_non_delivery`), or with an account code (368, 131031: `account_blocked`, which a later `sent`
 * resolves). `spreadMinutes` (under 2 days) is the span the messages are spread over, up to an hour ago: a day and more gives recipient alerts
 * that open and age out; a few minutes with enough messages gives failure-rate windows over the threshold.
 */
export function generateMessageStatuses(
  sessions: string[],
  perSession: number,
  seed: number,
  options: { spreadMinutes: number; failedShare: number; accountShare: number },
): GeneratedStatus[] {
  const random = rng(seed);
  const statuses: GeneratedStatus[] = [];
  // Ending at the last whole hour: window marks live 2 days (their TTL), so older statuses could vanish.
  const base = Math.floor(Date.now() / 3_600_000) * 3_600_000 - options.spreadMinutes * 60_000 - 3_600_000;
  for (const sessionId of sessions) {
    for (let n = 0; n < perSession; n++) {
      const id = `wamid.${sessionId}.${n}`;
      const recipient = `4477009000${Math.floor(random() * 4)}`;
      const sentAt = base + Math.floor(random() * options.spreadMinutes * 60) * 1000;
      const roll = random();
      const add = (at: number, status: 'sent' | 'failed', codes?: number[]) => {
        const iso = new Date(at).toISOString();
        const body = metaBody({ statuses: [metaStatus({ id, status, at: iso, recipient, codes })] });
        statuses.push({ sessionId, at: iso, record: rawRecord('meta', sessionId, body) });
      };
      add(sentAt, 'sent');
      if (roll < options.accountShare) add(sentAt + 60_000, 'failed', [random() < 0.5 ? 368 : 131031]);
      else if (roll < options.accountShare + options.failedShare) add(sentAt + 60_000, 'failed', [131026]);
    }
  }
  return statuses;
}

/** A seeded shuffle (Fisher–Yates). */
export function shuffled<T>(items: readonly T[], seed: number): T[] {
  const random = rng(seed);
  const out = [...items];
  for (let i = out.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [out[i], out[j]] = [out[j]!, out[i]!];
  }
  return out;
}

/** Produces each group as its own step and waits until the consumer committed it, so groups are batches. */
export async function feedInSteps(service: FailuresUnderTest, steps: ProducedRecord[][]): Promise<void> {
  let produced = 0;
  for (const step of steps) {
    if (step.length === 0) continue;
    await service.produce(step);
    produced += step.length;
    await waitFor(`${produced} records committed`, () => service.committed() >= produced, {
      timeoutMs: 60_000,
    });
  }
}

/** `GET /v1/alerts?sessionId=…` of the real API app over this database, for each session in turn. */
export async function alertsAnswer(ch: ClickHouse, sessions: string[]): Promise<unknown[]> {
  const app = createApiApp({
    ch,
    apiKeys: [API_KEY],
    logger: silentLogger,
    sessions: memorySessionDirectory(sessions),
  });
  const answers: unknown[] = [];
  for (const sessionId of sessions) {
    const res = await app.request(`/v1/alerts?sessionId=${encodeURIComponent(sessionId)}`, {
      headers: { authorization: `Bearer ${API_KEY}` },
    });
    if (res.status !== 200) throw new Error(`GET /v1/alerts answered ${res.status}: ${await res.text()}`);
    answers.push(await res.json());
  }
  return answers;
}

/**
 * Splits `items` into consecutive groups of 1 to 7 (times a scale that keeps them to about `maxGroups`:
 * each group is a batch the test waits for, and ~0.4 s a wait is what makes these files slow), sized by a
 * seeded random stream.
 */
export function chunks<T>(items: T[], seed: number, maxGroups = 20): T[][] {
  const scale = Math.max(1, Math.ceil(items.length / (4 * maxGroups)));
  const sizes = shuffled([1, 2, 3, 4, 5, 6, 7], seed).map((size) => size * scale);
  const out: T[][] = [];
  for (let i = 0, k = 0; i < items.length; k++) {
    const size = sizes[k % sizes.length]!;
    out.push(items.slice(i, i + size));
    i += size;
  }
  return out;
}
