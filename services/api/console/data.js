// The console's numbers across sessions, written to the contract's "Analytics across sessions" routes
// (GET /v1/stats, /v1/stats/latency, /v1/failures). A wapipe that does not serve them yet answers 404:
// then the overview falls back to one GET /v1/sessions/{id}/stats per session, and the pages that need
// them say so. The answer is remembered per route for the page's life, so the fallback costs one 404.
import { ApiError, getJson, mapLimited } from './api.js';

const INTERVAL_MS = { minute: 60_000, hour: 3_600_000, day: 86_400_000 };

/** The ranges offered, each with the finest interval that keeps a chart readable. */
export const RANGES = {
  '1h': { label: 'Last hour', ms: 3_600_000, interval: 'minute' },
  '24h': { label: 'Last 24 hours', ms: 86_400_000, interval: 'hour' },
  '7d': { label: 'Last 7 days', ms: 7 * 86_400_000, interval: 'hour' },
  '30d': { label: 'Last 30 days', ms: 30 * 86_400_000, interval: 'day' },
};

/** from/to of a named range ending at the end of the current bucket (so the buckets are whole). */
export function rangeOf(name, now = Date.now()) {
  const range = RANGES[name] ?? RANGES['24h'];
  const step = INTERVAL_MS[range.interval];
  const to = Math.ceil((now + 1) / step) * step;
  return {
    name: RANGES[name] ? name : '24h',
    from: new Date(to - range.ms).toISOString(),
    to: new Date(to).toISOString(),
    interval: range.interval,
  };
}

const unserved = new Set();
const isUnservedRoute = (error) =>
  error instanceof ApiError &&
  (error.status === 404 || error.status === 405) &&
  error.code !== 'unknown_session';

/** GET `path` of an analytics route, or null when this wapipe does not serve that route. */
async function analytics(route, query, options) {
  if (unserved.has(route)) return null;
  try {
    return await getJson(`${route}?${new URLSearchParams(query)}`, options);
  } catch (error) {
    if (!isUnservedRoute(error)) throw error;
    unserved.add(route);
    return null;
  }
}

const withRates = (t) => ({
  ...t,
  deliveryRate: t.sent ? t.delivered / t.sent : null,
  readRate: t.sent ? t.read / t.sent : null,
  failureRate: t.sent ? t.failed / t.sent : null,
  replyRate:
    t.replied === undefined || t.replied === null ? null : t.delivered ? t.replied / t.delivered : null,
});

/**
 * GET /v1/stats grouped and filtered, every page: `{ totals, groups }`, or null when not served.
 * `filters` is e.g. `{ campaignId: 'spring' }`. `buckets: false` asks for each group's totals only (a
 * page of 1,000 sessions by hour is ~2.4 MB with buckets); a wapipe that predates it sends them anyway.
 */
export async function groupedStats({ from, to, interval, groupBy, filters = {}, buckets = true }, options) {
  const query = {
    from,
    to,
    interval,
    ...(groupBy ? { groupBy } : {}),
    ...filters,
    ...(buckets ? {} : { buckets: 'false' }),
    limit: '1000',
  };
  const first = await analytics('/v1/stats', query, options);
  if (!first) return null;
  const groups = [...first.groups];
  let cursor = first.nextCursor;
  while (cursor) {
    const page = await analytics('/v1/stats', { ...query, cursor }, options);
    groups.push(...page.groups);
    cursor = page.nextCursor;
  }
  return { totals: first.totals, groups };
}

/** GET /v1/stats/latency: `{ groups }`, or null when not served. */
export const latency = ({ from, to, groupBy, filters = {} }, options) =>
  analytics('/v1/stats/latency', { from, to, ...(groupBy ? { groupBy } : {}), ...filters }, options);

/** GET /v1/failures across the sessions filtered, or null when not served. */
export const failuresAcross = ({ from, to, filters = {} }, options) =>
  analytics('/v1/failures', { from, to, ...filters }, options);

/**
 * Totals per session over a range: `{ source, totals: Map<sessionId, totals> }`; `ids` (the session
 * ids, or a promise of them) are read only on the fallback. From one grouped
 * /v1/stats call when served (with `replied` and `replyRate`), else from each session's own stats
 * (whose `replies` counts inbound messages; no reply rate).
 */
export async function sessionTotals(range, ids, options) {
  const grouped = await groupedStats({ ...range, groupBy: 'session', buckets: false }, options);
  if (grouped) {
    const totals = new Map(grouped.groups.map((g) => [g.key, withRates(g.totals)]));
    return { source: 'stats', totals };
  }
  const sessionIds = await ids;
  const answers = await mapLimited(sessionIds, 6, (id) =>
    getJson(
      `/v1/sessions/${encodeURIComponent(id)}/stats?${new URLSearchParams({
        from: range.from,
        to: range.to,
        interval: range.interval,
      })}`,
      options,
    ).catch((error) => {
      // A session deleted since the list was read is not an error of the page.
      if (error instanceof ApiError && error.code === 'unknown_session') return null;
      throw error;
    }),
  );
  const totals = new Map();
  sessionIds.forEach((id, i) => {
    const t = answers[i]?.totals;
    if (t) totals.set(id, { ...t, replied: null, replyRate: null });
  });
  return { source: 'sessions', totals };
}
