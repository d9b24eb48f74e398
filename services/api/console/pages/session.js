// One session: its delivery funnel over time, failures by code with retry advice, time-to-deliver and
// time-to-read quantiles (when /v1/stats/latency is served), recent replies and its alerts.
import { getJson } from '../api.js';
import { drawFunnel } from '../chart.js';
import { RANGES, latency, rangeOf } from '../data.js';
import { RETRY_ADVICE, h, number, percent, replace, select, sortableTable, time } from '../ui.js';
import { alertsTable } from './alerts-table.js';

const seconds = (s) =>
  s === null || s === undefined ? '—' : s < 120 ? `${s.toFixed(1)} s` : `${(s / 60).toFixed(1)} min`;

export function latencyBlock(answer) {
  if (!answer)
    return h(
      'p',
      { class: 'muted' },
      'Latency quantiles need GET /v1/stats/latency, which this wapipe does not serve yet.',
    );
  const g = answer.groups[0];
  if (!g) return h('p', { class: 'muted' }, 'No delivered message in this range.');
  const row = (label, q) =>
    h(
      'tr',
      {},
      h('th', { scope: 'row' }, label),
      h('td', { class: 'num' }, number(q.count)),
      ['p50', 'p90', 'p99'].map((p) => h('td', { class: 'num' }, seconds(q[p]))),
    );
  return h(
    'table',
    { class: 'data' },
    h('caption', {}, 'From send to first report'),
    h(
      'thead',
      {},
      h(
        'tr',
        {},
        h('th', { scope: 'col' }, ''),
        ['Messages', 'p50', 'p90', 'p99'].map((t) => h('th', { scope: 'col', class: 'num' }, t)),
      ),
    ),
    h('tbody', {}, row('Time to deliver', g.timeToDeliver), row('Time to read', g.timeToRead)),
  );
}

export function failuresTable(caption) {
  return sortableTable({
    caption,
    sort: { key: 'count', dir: -1 },
    empty: 'No failure in this range.',
    rowAttrs: (f) => ({ 'data-code': f.code }),
    columns: [
      { key: 'code', label: 'Code', value: (f) => f.code, cell: (f) => h('code', {}, f.code) },
      { key: 'title', label: 'Title', value: (f) => f.title, cell: (f) => f.title },
      { key: 'category', label: 'Category', value: (f) => f.category, cell: (f) => f.category },
      { key: 'count', label: 'Count', numeric: true, value: (f) => f.count, cell: (f) => number(f.count) },
      {
        key: 'retryable',
        label: 'Retry?',
        value: (f) => (f.retryable ? 0 : 1),
        cell: (f) => (f.retryable ? 'yes, later' : 'no'),
      },
      {
        key: 'advice',
        label: 'What to do',
        value: (f) => f.category,
        cell: (f) => RETRY_ADVICE[f.category] ?? RETRY_ADVICE.unknown,
      },
    ],
  });
}

export function totalsList(t) {
  const item = (label, value) => h('div', {}, h('dt', {}, label), h('dd', {}, value));
  return h(
    'dl',
    { class: 'totals' },
    item('Sent', number(t.sent)),
    item('Delivered', `${number(t.delivered)} (${percent(t.deliveryRate)})`),
    item('Read', `${number(t.read)} (${percent(t.readRate)})`),
    item('Failed', `${number(t.failed)} (${percent(t.failureRate)})`),
    t.replied === undefined
      ? item('Replies in', number(t.replies))
      : item('Replied', `${number(t.replied)} (${percent(t.replyRate)})`),
  );
}

export function sessionPage(container, { arg: sessionId, params, setParams }) {
  let rangeName = RANGES[params.get('range')] ? params.get('range') : '24h';
  const id = encodeURIComponent(sessionId ?? '');
  const figure = h('figure', { class: 'chart', id: 'funnel' });
  const totals = h('div', { id: 'session-totals' });
  const failures = failuresTable('Failures by code');
  const latencyEl = h('div', { id: 'session-latency' });
  const replies = sortableTable({
    caption: 'Recent replies, newest first',
    sort: { key: 'at', dir: -1 },
    empty: 'No reply in this range.',
    columns: [
      { key: 'at', label: 'At', value: (r) => r.at, cell: (r) => time(r.at) },
      { key: 'from', label: 'From', value: (r) => r.from, cell: (r) => r.from },
      { key: 'type', label: 'Type', value: (r) => r.type, cell: (r) => r.type },
      { key: 'text', label: 'Text', value: (r) => r.text, cell: (r) => r.text },
      {
        key: 'replyTo',
        label: 'Replying to',
        value: (r) => r.replyTo?.providerMessageId ?? '',
        cell: (r) =>
          r.replyTo
            ? h(
                'a',
                {
                  href: `#/message?id=${encodeURIComponent(r.replyTo.messageId ?? r.replyTo.providerMessageId)}`,
                },
                r.replyTo.messageId ?? r.replyTo.providerMessageId,
              )
            : '—',
      },
    ],
  });
  const alerts = alertsTable('Its alerts, newest first');
  let plot;
  const onResize = () => plot?.setSize({ width: Math.max(280, figure.clientWidth), height: 240 });
  window.addEventListener('resize', onResize);
  replace(
    container,
    h('h1', {}, 'Session ', h('code', {}, sessionId ?? '')),
    h(
      'div',
      { class: 'controls' },
      select({
        id: 'session-range-select',
        label: 'Range',
        options: Object.fromEntries(Object.entries(RANGES).map(([k, v]) => [k, v.label])),
        value: rangeName,
        onchange: (v) => {
          rangeName = v;
          setParams({ range: v });
          void page.refresh();
        },
      }),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-funnel' },
      h('h2', { id: 'h-funnel' }, 'Delivery funnel'),
      totals,
      figure,
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-failures' },
      h('h2', { id: 'h-failures' }, 'Failures'),
      h('div', { class: 'scroll' }, failures.el),
    ),
    h('section', { 'aria-labelledby': 'h-latency' }, h('h2', { id: 'h-latency' }, 'Latency'), latencyEl),
    h(
      'section',
      { 'aria-labelledby': 'h-replies' },
      h('h2', { id: 'h-replies' }, 'Replies'),
      h('div', { class: 'scroll' }, replies.el),
    ),
    h(
      'section',
      { 'aria-labelledby': 'h-alerts' },
      h('h2', { id: 'h-alerts' }, 'Alerts'),
      h('div', { class: 'scroll' }, alerts.el),
    ),
  );
  const page = {
    title: `Session ${sessionId}`,
    async refresh() {
      const r = rangeOf(rangeName);
      const q = new URLSearchParams({ from: r.from, to: r.to });
      const [stats, fails, reps, als, lat] = await Promise.all([
        getJson(`/v1/sessions/${id}/stats?${q}&interval=${r.interval}`),
        getJson(`/v1/sessions/${id}/failures?${q}`),
        getJson(`/v1/sessions/${id}/replies?${q}&limit=20`),
        getJson(`/v1/alerts?sessionId=${id}&limit=100`),
        latency({ from: r.from, to: r.to, filters: { sessionId } }),
      ]);
      Object.assign(figure.dataset, { from: r.from, to: r.to, interval: r.interval });
      replace(totals, totalsList(stats.totals));
      plot?.destroy();
      plot = drawFunnel(figure, stats.buckets, { title: `Messages by send time, per ${r.interval}` });
      failures.update(fails.byCode);
      replace(latencyEl, latencyBlock(lat));
      replies.update(reps.replies);
      alerts.update(als.alerts);
    },
    dispose() {
      window.removeEventListener('resize', onResize);
      plot?.destroy();
    },
  };
  return page;
}
