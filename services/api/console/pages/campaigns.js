// Campaigns side by side (and the other dimensions: category, country, template, session), from
// GET /v1/stats grouped by that dimension; choosing one opens its funnel, latency and failures, filtered.
import { drawFunnel } from '../chart.js';
import { RANGES, failuresAcross, groupedStats, latency, rangeOf } from '../data.js';
import { h, number, percent, replace, select, sortableTable } from '../ui.js';
import { failuresTable, latencyBlock, totalsList } from './session.js';

const DIMENSIONS = {
  campaign: 'Campaign',
  category: 'Category',
  country: 'Country',
  template: 'Template',
  session: 'Session',
};
/** The filter parameter of each dimension on /v1/stats. */
const FILTER = {
  campaign: 'campaignId',
  category: 'category',
  country: 'country',
  template: 'template',
  session: 'sessionId',
};

export function campaignsPage(container, { params, setParams }) {
  let dimension = DIMENSIONS[params.get('by')] ? params.get('by') : 'campaign';
  let rangeName = RANGES[params.get('range')] ? params.get('range') : '7d';
  let chosen = params.get('key');
  const save = () =>
    setParams({ by: dimension, range: rangeName, ...(chosen !== null ? { key: chosen } : {}) });
  const rate = (key, label) => ({
    key,
    label,
    numeric: true,
    value: (g) => g.totals[key],
    cell: (g) => percent(g.totals[key]),
  });
  const table = sortableTable({
    caption: 'Groups by messages sent',
    sort: { key: 'sent', dir: -1 },
    empty: 'No message in this range.',
    rowAttrs: (g) => ({ 'data-key': g.key, 'aria-selected': g.key === chosen ? 'true' : undefined }),
    columns: [
      {
        key: 'key',
        label: 'Name',
        value: (g) => g.key,
        cell: (g) =>
          h(
            'button',
            {
              type: 'button',
              class: 'linkish',
              onclick: () => {
                chosen = g.key;
                save();
                void page.refresh();
              },
            },
            g.key === '' ? '(none)' : g.key,
          ),
      },
      {
        key: 'sent',
        label: 'Sent',
        numeric: true,
        value: (g) => g.totals.sent,
        cell: (g) => number(g.totals.sent),
      },
      rate('deliveryRate', 'Delivered'),
      rate('readRate', 'Read'),
      rate('failureRate', 'Failed'),
      rate('replyRate', 'Replied'),
    ],
  });
  const body = h('div', { id: 'campaigns-body' });
  const detail = h('div', { id: 'campaign-detail' });
  const ranges = Object.fromEntries(Object.entries(RANGES).map(([k, v]) => [k, v.label]));
  replace(
    container,
    h('h1', {}, 'Campaigns and other dimensions'),
    h(
      'div',
      { class: 'controls' },
      select({
        id: 'dimension-select',
        label: 'Group by',
        options: DIMENSIONS,
        value: dimension,
        onchange: (v) => {
          dimension = v;
          chosen = null;
          save();
          void page.refresh();
        },
      }),
      select({
        id: 'campaigns-range-select',
        label: 'Range',
        options: ranges,
        value: rangeName,
        onchange: (v) => {
          rangeName = v;
          save();
          void page.refresh();
        },
      }),
    ),
    body,
    detail,
  );
  let plot;
  const page = {
    title: 'Campaigns',
    async refresh() {
      const r = rangeOf(rangeName);
      // The table needs each group's totals only; the chosen group's buckets come filtered below.
      const answer = await groupedStats({ ...r, groupBy: dimension, buckets: false });
      if (!answer) {
        container.dataset.unavailable = 'true';
        replace(
          body,
          h(
            'p',
            { class: 'notice', id: 'needs-stats' },
            'This page needs GET /v1/stats (analytics across sessions), which this wapipe does not serve yet.',
          ),
        );
        return;
      }
      replace(body, h('div', { class: 'scroll' }, table.el));
      table.update(answer.groups);
      const group = answer.groups.find((g) => g.key === chosen);
      plot?.destroy();
      plot = undefined;
      if (!group) return void replace(detail);
      const filters = { [FILTER[dimension]]: group.key };
      const [own, lat, fails] = await Promise.all([
        groupedStats({ ...r, groupBy: dimension, filters }),
        latency({ from: r.from, to: r.to, filters }),
        failuresAcross({ from: r.from, to: r.to, filters }),
      ]);
      const figure = h('figure', { class: 'chart', id: 'campaign-funnel' });
      const failures = failuresTable('Failures by code');
      replace(
        detail,
        h('h2', {}, `${DIMENSIONS[dimension]} `, h('code', {}, group.key === '' ? '(none)' : group.key)),
        totalsList(group.totals),
        figure,
        h('h3', {}, 'Latency'),
        latencyBlock(lat),
        h('h3', {}, 'Failures'),
        fails
          ? h('div', { class: 'scroll' }, failures.el)
          : h('p', { class: 'muted' }, 'Needs GET /v1/failures.'),
      );
      if (fails) failures.update(fails.byCode);
      plot = drawFunnel(figure, own?.groups.find((g) => g.key === group.key)?.buckets ?? [], {
        title: `Messages by send time, per ${r.interval}`,
        replyKey: 'replied',
      });
    },
    dispose: () => plot?.destroy(),
  };
  return page;
}
