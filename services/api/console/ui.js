// Small DOM helpers shared by the pages: element creation, times (the browser's zone, UTC on hover),
// rates, and sortable tables whose header buttons say how they sort.

/** h('a', { href, class: 'x', onclick }, 'text', child…) */
export function h(tag, attrs = {}, ...children) {
  const el = document.createElement(tag);
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === undefined || value === null || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') Object.assign(el.dataset, value);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
  append(el, children);
  return el;
}

function append(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === undefined || child === null || child === false) continue;
    el.append(child instanceof Node ? child : String(child));
  }
}

export function replace(el, ...children) {
  el.replaceChildren();
  append(el, children);
  return el;
}

const local = new Intl.DateTimeFormat(undefined, { dateStyle: 'medium', timeStyle: 'medium' });

/** A <time> in the browser's zone, with the UTC instant on hover. */
export function time(iso) {
  if (!iso) return h('span', { class: 'muted' }, '—');
  const date = new Date(iso);
  return h('time', { datetime: date.toISOString(), title: `UTC ${date.toISOString()}` }, local.format(date));
}

export const percent = (rate) => (rate === null || rate === undefined ? '—' : `${(rate * 100).toFixed(1)}%`);
// One formatter for every number (toLocaleString builds a new one per call: slow over 1,000 rows).
const numbers = new Intl.NumberFormat();
export const number = (n) => (n === null || n === undefined ? '—' : numbers.format(n));

export const link = (href, text) => h('a', { href }, text);
export const sessionLink = (id) => link(`#/session/${encodeURIComponent(id)}`, id);

/** What to do about a failure of this category, for an operator deciding whether to resend. */
export const RETRY_ADVICE = {
  transient: 'Retry with backoff: the provider failed for a moment.',
  rate_limit: 'Retry later and slow down: a rate limit was hit.',
  recipient: 'Do not retry: fix or drop the recipient.',
  policy: 'Do not retry as is: the message broke a policy (template, 24 h window, opt-out).',
  configuration: 'Fix the account or number configuration, then retry.',
  session: 'Reconnect the session (scan the QR code), then retry.',
  unknown: 'Look up the code with the provider before retrying.',
};

/**
 * A table sorted by clicking its headers (buttons, so the keyboard works). `columns`:
 * [{ key, label, value(row) → sortable, cell(row) → node|text, numeric? }]. Returns
 * { el, update(rows), firstPage() }. It shows `pageSize` rows at a time with a pager below (and "Show
 * all"): the browser's style and layout of 1,000 rows took ~400 ms per draw, twice per first load.
 * Rows are built in one pass into a fragment and put in at once: yielding halfway (to paint the top rows
 * first) made the whole table later on a busy machine, each yield costing one more layout of it.
 */
export function sortableTable({
  caption,
  columns,
  sort,
  rowAttrs = () => ({}),
  empty = 'Nothing here.',
  pageSize = 100,
}) {
  let rows = [];
  let current = sort; // { key, dir: 1 | -1 } or { compare } for a named default order
  let page = 0;
  let all = false; // "Show all" pressed: every row, no pager
  const thead = h('thead');
  const tbody = h('tbody');
  const table = h('table', { class: 'data' }, h('caption', {}, caption), thead, tbody);
  const pager = h('nav', { class: 'pager', 'aria-label': `${caption}: pages` });
  const el = h('div', { class: 'paged' }, table, pager);
  const drawHead = () => {
    // The head is rebuilt on every draw: a sort button that had the focus gets it back.
    const focusedKey = thead.contains(document.activeElement)
      ? document.activeElement.dataset.key
      : undefined;
    replace(
      thead,
      h(
        'tr',
        {},
        columns.map((c) => {
          const dir = current.key === c.key ? current.dir : 0;
          return h(
            'th',
            {
              scope: 'col',
              class: c.numeric ? 'num' : undefined,
              'aria-sort': dir === 1 ? 'ascending' : dir === -1 ? 'descending' : undefined,
            },
            h(
              'button',
              {
                type: 'button',
                class: 'sort',
                'data-key': c.key,
                onclick: () => {
                  current = { key: c.key, dir: current.key === c.key ? -current.dir : c.numeric ? -1 : 1 };
                  page = 0;
                  draw();
                },
              },
              c.label,
              dir === 1 ? ' ▲' : dir === -1 ? ' ▼' : '',
            ),
          );
        }),
      ),
    );
    if (focusedKey !== undefined) thead.querySelector(`[data-key="${CSS.escape(focusedKey)}"]`)?.focus();
  };
  const ordered = () => {
    const out = [...rows];
    if (current.compare) return out.sort(current.compare);
    const col = columns.find((c) => c.key === current.key);
    const v = (r) => col.value(r) ?? (col.numeric ? -Infinity : '');
    return out.sort((a, b) => (v(a) < v(b) ? -1 : v(a) > v(b) ? 1 : 0) * current.dir);
  };
  const cellClass = (c) => (c.numeric ? 'num' : undefined);
  const fragmentOf = (some) => {
    const fragment = document.createDocumentFragment();
    for (const r of some)
      fragment.append(
        h(
          'tr',
          rowAttrs(r),
          columns.map((c) => h('td', { class: cellClass(c), 'data-label': c.label }, c.cell(r))),
        ),
      );
    return fragment;
  };
  // The pager's controls are made once and updated in place: a focused button keeps the focus through a
  // redraw (the page refreshes every few seconds), and the row count is a live region screen readers
  // announce when its text changes.
  const turn = (step) => {
    page += step;
    draw();
    const [forward, back] = step > 0 ? [next, prev] : [prev, next];
    if (forward.disabled) back.focus(); // at the first or last page: the focus stays in the pager
  };
  const prev = h(
    'button',
    { type: 'button', 'aria-label': 'Previous page', onclick: () => turn(-1) },
    '‹ Previous',
  );
  const next = h('button', { type: 'button', 'aria-label': 'Next page', onclick: () => turn(1) }, 'Next ›');
  const status = h('span', { class: 'muted', 'aria-live': 'polite' });
  const showAll = h(
    'button',
    {
      type: 'button',
      onclick: () => {
        all = true;
        draw();
        table.focus();
      },
    },
    'Show all',
  );
  table.tabIndex = -1; // where the focus goes once "Show all" has hidden the pager
  pager.append(prev, status, next, showAll);
  const drawPager = (count) => {
    pager.hidden = all || count <= pageSize;
    if (pager.hidden) return;
    const first = page * pageSize;
    prev.disabled = page === 0;
    next.disabled = first + pageSize >= count;
    status.textContent = `Rows ${number(first + 1)}–${number(Math.min(first + pageSize, count))} of ${number(count)}`;
    showAll.setAttribute('aria-label', `Show all ${count} rows`);
  };
  const draw = () => {
    drawHead();
    const list = ordered();
    // A refresh that shortens the list keeps the reader on the last page that still exists.
    page = Math.max(0, Math.min(page, Math.ceil(list.length / pageSize) - 1));
    drawPager(list.length);
    const shown = all ? list : list.slice(page * pageSize, (page + 1) * pageSize);
    if (list.length === 0)
      replace(tbody, h('tr', {}, h('td', { colspan: columns.length, class: 'muted' }, empty)));
    else tbody.replaceChildren(fragmentOf(shown));
  };
  return {
    el,
    update(next) {
      rows = next;
      draw();
    },
    /** Back to the first page (a new filter: its matches start there). */
    firstPage() {
      page = 0;
    },
  };
}

/** A labelled <select>; `onchange(value)`. */
export function select({ id, label, options, value, onchange }) {
  return h(
    'label',
    { for: id, class: 'field' },
    h('span', {}, label),
    h(
      'select',
      { id, onchange: (e) => onchange(e.target.value) },
      Object.entries(options).map(([v, text]) => h('option', { value: v, selected: v === value }, text)),
    ),
  );
}

export const errorBox = (error) => h('p', { class: 'error', role: 'alert' }, error?.message ?? String(error));
