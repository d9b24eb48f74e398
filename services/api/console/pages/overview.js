// Every session: provider, health (its latest reported state and open alerts), volume and rates over the
// chosen range; filterable, sortable, the worst first by default.
import { getAll, getJson } from '../api.js';
import { RANGES, rangeOf, sessionTotals } from '../data.js';
import { h, number, percent, replace, select, sessionLink, sortableTable, time } from '../ui.js';

const BAD_STATES = new Set(['QR_REQUIRED', 'ERROR', 'STOPPED']);

/** Bigger is worse: open critical alerts, then warnings, then a state that is not connected. */
const healthScore = (r) => r.critical * 10_000 + r.warning * 100 + (BAD_STATES.has(r.state?.status) ? 1 : 0);

const worstFirst = (a, b) =>
  healthScore(b) - healthScore(a) ||
  (b.totals?.failureRate ?? -1) - (a.totals?.failureRate ?? -1) ||
  (a.totals?.deliveryRate ?? 2) - (b.totals?.deliveryRate ?? 2) ||
  (a.sessionId < b.sessionId ? -1 : a.sessionId > b.sessionId ? 1 : 0);

function health(r) {
  const parts = [];
  if (r.critical) parts.push(h('span', { class: 'badge critical' }, `${r.critical} critical`));
  if (r.warning) parts.push(h('span', { class: 'badge warning' }, `${r.warning} warning`));
  const state = r.state?.status;
  if (state)
    parts.push(
      h(
        'span',
        { class: `badge ${BAD_STATES.has(state) ? 'critical' : 'ok'}`, title: r.state.reason || undefined },
        state,
      ),
    );
  if (parts.length === 0) parts.push(h('span', { class: 'badge ok' }, 'no alerts'));
  return parts;
}

export function overviewPage(container, { params, setParams }) {
  let rangeName = RANGES[params.get('range')] ? params.get('range') : '24h';
  let filter = params.get('q') ?? '';
  let rows = [];
  const rate = (key, label) => ({
    key,
    label,
    numeric: true,
    value: (r) => r.totals?.[key] ?? null,
    cell: (r) => percent(r.totals?.[key]),
  });
  const table = sortableTable({
    caption: 'Sessions, the worst first',
    sort: { compare: worstFirst },
    empty: 'No session matches.',
    rowAttrs: (r) => ({
      'data-session': r.sessionId,
      'data-sent': r.totals?.sent ?? '',
      'data-delivery-rate': r.totals?.deliveryRate ?? '',
      'data-read-rate': r.totals?.readRate ?? '',
      'data-failure-rate': r.totals?.failureRate ?? '',
      'data-reply-rate': r.totals?.replyRate ?? '',
    }),
    columns: [
      { key: 'session', label: 'Session', value: (r) => r.sessionId, cell: (r) => sessionLink(r.sessionId) },
      { key: 'provider', label: 'Provider', value: (r) => r.provider ?? '', cell: (r) => r.provider ?? '—' },
      { key: 'health', label: 'Health', numeric: true, value: healthScore, cell: health },
      {
        key: 'sent',
        label: 'Sent',
        numeric: true,
        value: (r) => r.totals?.sent ?? null,
        cell: (r) => number(r.totals?.sent),
      },
      rate('deliveryRate', 'Delivered'),
      rate('readRate', 'Read'),
      rate('failureRate', 'Failed'),
      rate('replyRate', 'Replied'),
      {
        key: 'replies',
        label: 'Replies in',
        numeric: true,
        value: (r) => r.totals?.replies ?? null,
        cell: (r) => number(r.totals?.replies),
      },
      { key: 'state', label: 'State since', value: (r) => r.state?.at ?? '', cell: (r) => time(r.state?.at) },
    ],
  });
  const summary = h('p', { class: 'summary', id: 'overview-summary' });
  const note = h('p', { class: 'muted', id: 'overview-source' });
  const draw = () => {
    const q = filter.trim().toLowerCase();
    const shown = q
      ? rows.filter((r) =>
          [r.sessionId, r.provider, r.state?.status, r.critical || r.warning ? 'alert' : ''].some((v) =>
            v?.toLowerCase().includes(q),
          ),
        )
      : rows;
    table.update(shown);
    summary.textContent = `${shown.length} of ${rows.length} sessions`;
  };
  const filterInput = h('input', {
    id: 'session-filter',
    type: 'search',
    value: filter,
    placeholder: 'id, provider, state or “alert”',
    oninput: (e) => {
      filter = e.target.value;
      setParams({ range: rangeName, ...(filter ? { q: filter } : {}) });
      table.firstPage();
      draw();
    },
  });
  const range = h('p', { class: 'muted', id: 'overview-range' });
  replace(
    container,
    h('h1', {}, 'Sessions'),
    h(
      'div',
      { class: 'controls' },
      select({
        id: 'overview-range-select',
        label: 'Range',
        options: Object.fromEntries(Object.entries(RANGES).map(([k, v]) => [k, v.label])),
        value: rangeName,
        onchange: (v) => {
          rangeName = v;
          setParams({ range: v, ...(filter ? { q: filter } : {}) });
          void page.refresh();
        },
      }),
      h('label', { for: 'session-filter', class: 'field' }, h('span', {}, 'Filter'), filterInput),
    ),
    range,
    summary,
    h('div', { class: 'scroll' }, table.el),
    note,
  );
  const page = {
    title: 'Overview',
    async refresh() {
      const r = rangeOf(rangeName);
      // Four data sets, one request each, all asked at once: the list, the states and the open alerts
      // (the rows and their health), and every session's rates. The api's ClickHouse connection runs one
      // query at a time, so the lists are asked first; the rates' query (~40 ms at 1,000 sessions) then
      // follows them instead of waiting for their answers to come back (~120 ms later).
      const lists = Promise.all([
        getAll('/v1/sessions', 'sessions').catch((error) =>
          error.status === 404 ? [] : Promise.reject(error),
        ),
        getJson('/v1/session-states').then((a) => a.states),
        getAll('/v1/alerts?status=open', 'alerts'),
      ]);
      // The session ids are needed only by a wapipe without GET /v1/stats (one request per session).
      const ids = lists.then(([sessions]) => sessions.map((s) => s.sessionId));
      ids.catch(() => {}); // the lists' failure is this refresh's, reported below
      const rates = sessionTotals(r, ids);
      let ratesCame = false; // the rates came before the lists: then the rows are drawn once, with them
      rates.then(
        () => (ratesCame = true),
        () => {}, // awaited below; when the lists fail, this refresh fails with their error
      );
      const [sessions, states, open] = await lists;
      performance.mark('overview:lists');
      const byId = new Map(
        sessions.map((s) => [s.sessionId, { sessionId: s.sessionId, provider: s.provider }]),
      );
      const statesById = new Map(states.map((s) => [s.sessionId, s]));
      const openCount = new Map();
      for (const a of open) {
        const key = `${a.sessionId} ${a.severity}`;
        openCount.set(key, (openCount.get(key) ?? 0) + 1);
      }
      const rowsOf = (totals) =>
        [...byId.values()].map((s) => ({
          ...s,
          state: statesById.get(s.sessionId),
          critical: openCount.get(`${s.sessionId} critical`) ?? 0,
          warning: openCount.get(`${s.sessionId} warning`) ?? 0,
          totals: totals?.get(s.sessionId) ?? null,
        }));
      // The first time, the list and its health are drawn before the rates come.
      if (rows.length === 0 && !ratesCame) {
        rows = rowsOf(undefined);
        draw();
        container.dataset.listed = 'true';
        performance.mark('overview:listed');
      }
      const { source, totals } = await rates;
      performance.mark('overview:rates');
      // A session known only to the analytics (a split api without the ingress's list) is listed too.
      for (const id of totals.keys()) if (!byId.has(id)) byId.set(id, { sessionId: id, provider: null });
      rows = rowsOf(totals);
      Object.assign(container.dataset, { from: r.from, to: r.to, interval: r.interval, source });
      replace(range, `From `, time(r.from), ` to `, time(r.to), ` by ${r.interval}`);
      note.textContent =
        source === 'stats'
          ? 'Rates from GET /v1/stats grouped by session.'
          : 'Rates from each session’s stats; the reply rate needs GET /v1/stats.';
      draw();
      container.dataset.listed = 'true';
      performance.mark('overview:drawn');
    },
  };
  return page;
}
