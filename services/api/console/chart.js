// The delivery funnel over time: one uPlot line per count, one point per bucket. The same numbers are in a
// table under the chart (for screen readers, and collapsed on sight) and in the figure's data-points
// attribute, so what is drawn can be checked against the API.
import uPlot from '/console/vendor/uplot/uPlot.esm.js';
import { h, replace, time } from './ui.js';

const SERIES = [
  { key: 'sent', label: 'Sent', stroke: '#5b6b7a' },
  { key: 'delivered', label: 'Delivered', stroke: '#1f6f50' },
  { key: 'read', label: 'Read', stroke: '#2f6fb5' },
  { key: 'failed', label: 'Failed', stroke: '#b3261e' },
];

/**
 * Draws `buckets` ([{ start, sent, delivered, read, failed, replies|replied }]) into `figure`; `replyKey`
 * is `replies` (a session's inbound messages) or `replied` (/v1/stats: messages with a reply).
 */
export function drawFunnel(figure, buckets, { title, replyKey = 'replies' }) {
  const series = [
    ...SERIES,
    { key: replyKey, label: replyKey === 'replies' ? 'Replies' : 'Replied', stroke: '#8a5a00' },
  ];
  const points = buckets.map((b) => ({
    start: b.start,
    ...Object.fromEntries(series.map((s) => [s.key, b[s.key] ?? 0])),
  }));
  figure.dataset.points = JSON.stringify(points);
  figure.dataset.pointCount = String(points.length);
  const plotEl = h('div', { class: 'plot', 'aria-hidden': 'true' });
  const table = h(
    'details',
    { class: 'chart-table' },
    h('summary', {}, 'Show the numbers'),
    h(
      'table',
      { class: 'data' },
      h('caption', {}, title),
      h(
        'thead',
        {},
        h(
          'tr',
          {},
          h('th', { scope: 'col' }, 'Bucket'),
          series.map((s) => h('th', { scope: 'col', class: 'num' }, s.label)),
        ),
      ),
      h(
        'tbody',
        {},
        points.map((p) =>
          h(
            'tr',
            {},
            h('th', { scope: 'row' }, time(p.start)),
            series.map((s) => h('td', { class: 'num' }, p[s.key])),
          ),
        ),
      ),
    ),
  );
  replace(figure, h('figcaption', {}, title), plotEl, table);
  const width = Math.max(280, figure.clientWidth || 600);
  const data = [
    points.map((p) => Date.parse(p.start) / 1000),
    ...series.map((s) => points.map((p) => p[s.key])),
  ];
  const plot = new uPlot(
    {
      width,
      height: 240,
      series: [
        {},
        ...series.map((s) => ({
          label: s.label,
          stroke: s.stroke,
          width: 2,
          points: { show: true, size: 5 },
        })),
      ],
      axes: [{}, { size: 50 }],
      scales: { y: { range: (_u, _min, max) => [0, Math.max(1, max)] } },
    },
    data,
    plotEl,
  );
  figure.dataset.drawnPoints = String(plot.data[0].length);
  return plot;
}
