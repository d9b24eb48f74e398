// The alerts table, shared by the Alerts page and a session's page.
import { h, sessionLink, sortableTable, time } from '../ui.js';

const detailText = (detail) =>
  detail === null || detail === undefined ? '' : typeof detail === 'string' ? detail : JSON.stringify(detail);

export function alertsTable(caption) {
  return sortableTable({
    caption,
    sort: { key: 'openedAt', dir: -1 },
    empty: 'No alert.',
    rowAttrs: (a) => ({ 'data-alert': a.id, 'data-status': a.status }),
    columns: [
      { key: 'openedAt', label: 'Opened', value: (a) => a.openedAt, cell: (a) => time(a.openedAt) },
      { key: 'session', label: 'Session', value: (a) => a.sessionId, cell: (a) => sessionLink(a.sessionId) },
      { key: 'kind', label: 'Kind', value: (a) => a.kind, cell: (a) => a.kind },
      {
        key: 'severity',
        label: 'Severity',
        value: (a) => a.severity,
        cell: (a) => h('span', { class: `badge ${a.severity}` }, a.severity),
      },
      { key: 'status', label: 'Status', value: (a) => a.status, cell: (a) => a.status },
      {
        key: 'resolvedAt',
        label: 'Resolved',
        value: (a) => a.resolvedAt ?? '',
        cell: (a) => time(a.resolvedAt),
      },
      {
        key: 'detail',
        label: 'Detail',
        value: (a) => detailText(a.detail),
        cell: (a) => h('code', { class: 'detail' }, detailText(a.detail)),
      },
    ],
  });
}
