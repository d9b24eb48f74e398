// Each consumer's lag in the raw topic and its dead letters, with the command that copies them back.
import { getJson } from '../api.js';
import { h, number, replace, sortableTable, time } from '../ui.js';

function command(text) {
  const button = h('button', { type: 'button', class: 'copy', 'aria-label': `Copy ${text}` }, 'Copy');
  button.addEventListener('click', async () => {
    await navigator.clipboard?.writeText(text).catch(() => undefined);
    button.textContent = 'Copied';
  });
  return h('span', { class: 'command' }, h('code', {}, text), button);
}

export function consumersPage(container) {
  const checked = h('p', { class: 'muted', id: 'consumers-checked' });
  const table = sortableTable({
    caption: 'Consumers',
    sort: { key: 'name', dir: 1 },
    rowAttrs: (c) => ({
      'data-consumer': c.name,
      'data-lag': c.lag,
      'data-dead-letters': c.deadLettersWaiting,
    }),
    columns: [
      { key: 'name', label: 'Consumer', value: (c) => c.name, cell: (c) => h('strong', {}, c.name) },
      { key: 'group', label: 'Group', value: (c) => c.group, cell: (c) => h('code', {}, c.group) },
      { key: 'lag', label: 'Lag (records)', numeric: true, value: (c) => c.lag, cell: (c) => number(c.lag) },
      {
        key: 'waiting',
        label: 'Dead letters waiting',
        numeric: true,
        value: (c) => c.deadLettersWaiting,
        cell: (c) =>
          h(
            'span',
            { class: c.deadLettersWaiting ? 'badge critical' : undefined },
            number(c.deadLettersWaiting),
          ),
      },
      {
        key: 'total',
        label: 'Dead letters ever',
        numeric: true,
        value: (c) => c.deadLetters,
        cell: (c) => number(c.deadLetters),
      },
      {
        key: 'redrive',
        label: 'To redrive (after fixing the cause)',
        value: (c) => c.redriveCommand,
        cell: (c) =>
          c.deadLettersWaiting
            ? [command(c.listCommand), command(c.redriveCommand)]
            : h('span', { class: 'muted' }, 'nothing to redrive'),
      },
    ],
  });
  replace(
    container,
    h('h1', {}, 'Consumers'),
    h('div', { class: 'scroll' }, table.el),
    checked,
    h(
      'p',
      { class: 'muted' },
      'Run the commands where the wapipe CLI reaches the broker (KAFKA_BROKERS or --brokers).',
    ),
  );
  return {
    title: 'Consumers',
    refreshMs: 5_000,
    async refresh() {
      const answer = await getJson('/v1/consumers');
      table.update(answer.consumers);
      replace(checked, 'Checked ', time(answer.checkedAt));
    },
  };
}
