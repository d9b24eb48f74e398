// Open and resolved alerts, refreshed every few seconds, so an alert that opens appears without a reload.
import { getAll } from '../api.js';
import { h, replace, select } from '../ui.js';
import { alertsTable } from './alerts-table.js';

const STATUSES = { open: 'Open', resolved: 'Resolved', all: 'Open and resolved' };

export function alertsPage(container, { params, setParams }) {
  let status = STATUSES[params.get('status')] ? params.get('status') : 'open';
  const table = alertsTable('Alerts, newest first');
  const count = h('p', { class: 'summary', id: 'alerts-count' });
  replace(
    container,
    h('h1', {}, 'Alerts'),
    h(
      'div',
      { class: 'controls' },
      select({
        id: 'alerts-status-select',
        label: 'Show',
        options: STATUSES,
        value: status,
        onchange: (v) => {
          status = v;
          setParams({ status: v });
          void page.refresh();
        },
      }),
    ),
    count,
    h('div', { class: 'scroll' }, table.el),
  );
  const page = {
    title: 'Alerts',
    refreshMs: 3_000,
    async refresh() {
      const alerts = await getAll(`/v1/alerts${status === 'all' ? '' : `?status=${status}`}`, 'alerts', {
        max: 5_000,
      });
      table.update(alerts);
      count.textContent = `${alerts.length} ${status === 'all' ? '' : `${status} `}alert${alerts.length === 1 ? '' : 's'}`;
    },
  };
  return page;
}
