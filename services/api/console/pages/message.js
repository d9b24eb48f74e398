// One message, by message id or provider message id: its timeline, failure, replies and the raw requests
// that carried them (the exact bodies, pretty-printed when they are JSON).
import { ApiError, getJson } from '../api.js';
import { RETRY_ADVICE, errorBox, h, replace, sessionLink, time } from '../ui.js';

function pretty(body) {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
}

function view(m, raw) {
  const f = m.failure;
  return [
    h(
      'dl',
      { class: 'facts' },
      h('div', {}, h('dt', {}, 'Message id'), h('dd', {}, h('code', {}, m.messageId ?? '—'))),
      h('div', {}, h('dt', {}, 'Provider id'), h('dd', {}, h('code', {}, m.providerMessageId))),
      h('div', {}, h('dt', {}, 'Session'), h('dd', {}, sessionLink(m.sessionId))),
      h('div', {}, h('dt', {}, 'Recipient'), h('dd', {}, m.recipient ?? '—')),
      h(
        'div',
        {},
        h('dt', {}, 'Status'),
        h(
          'dd',
          { id: 'message-status' },
          h('span', { class: `badge ${m.status === 'failed' ? 'critical' : 'ok'}` }, m.status),
        ),
      ),
      h('div', {}, h('dt', {}, 'Updated'), h('dd', {}, time(m.updatedAt))),
    ),
    h('h2', {}, 'Timeline'),
    m.timeline.length
      ? h(
          'ol',
          { class: 'timeline', id: 'message-timeline' },
          m.timeline.map((t) =>
            h('li', { 'data-status': t.status }, h('strong', {}, t.status), ' ', time(t.at)),
          ),
        )
      : h('p', { class: 'muted' }, 'No status reported yet.'),
    h('h2', {}, 'Failure'),
    f
      ? h(
          'div',
          { id: 'message-failure', class: 'failure', 'data-code': f.code },
          h('p', {}, h('code', {}, f.code), ' ', f.title),
          h(
            'p',
            {},
            `Category ${f.category}; ${f.retryable ? 'the provider says a later retry can pass' : 'not retryable'}. ${RETRY_ADVICE[f.category] ?? RETRY_ADVICE.unknown}`,
          ),
        )
      : h('p', { class: 'muted', id: 'message-failure' }, 'None.'),
    h('h2', {}, 'Replies'),
    m.replies.length
      ? h(
          'ul',
          { id: 'message-replies' },
          m.replies.map((r) =>
            h('li', { 'data-reply': r.providerMessageId }, time(r.at), ' ', h('em', {}, r.type), ' ', r.text),
          ),
        )
      : h('p', { class: 'muted', id: 'message-replies' }, 'No reply.'),
    h('h2', {}, `Raw requests (${raw.requests.length})`),
    h(
      'div',
      { id: 'message-raw' },
      raw.requests.map((r, i) =>
        h(
          'details',
          { class: 'raw', open: i === 0, 'data-sha256': r.sha256 },
          h(
            'summary',
            {},
            time(r.receivedAt),
            ` ${r.provider} · ${r.contentType} · partition ${r.partition} offset ${r.offset}`,
          ),
          h('p', { class: 'muted' }, 'sha256 ', h('code', {}, r.sha256)),
          h('pre', { tabindex: '0', 'aria-label': `Body of request ${i + 1}` }, pretty(r.body)),
        ),
      ),
    ),
  ];
}

export function messagePage(container, { params, setParams }) {
  let id = params.get('id') ?? '';
  const input = h('input', {
    id: 'message-id',
    name: 'id',
    type: 'search',
    value: id,
    required: true,
    autocomplete: 'off',
    spellcheck: 'false',
  });
  const result = h('div', { id: 'message-result', 'aria-live': 'polite' });
  const form = h(
    'form',
    { class: 'controls', role: 'search' },
    h(
      'label',
      { for: 'message-id', class: 'field wide' },
      h('span', {}, 'Message id or provider message id'),
      input,
    ),
    h('button', { type: 'submit' }, 'Find'),
  );
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    id = input.value.trim();
    setParams(id ? { id } : {});
    void page.refresh();
  });
  replace(container, h('h1', {}, 'Message'), form, result);
  const page = {
    title: 'Message',
    async refresh() {
      if (!id) return void replace(result, h('p', { class: 'muted' }, 'Search a message to see its life.'));
      const path = `/v1/messages/${encodeURIComponent(id)}`;
      try {
        const [m, raw] = await Promise.all([getJson(path), getJson(`${path}/raw`)]);
        result.dataset.found = m.providerMessageId;
        replace(result, view(m, raw));
      } catch (error) {
        if (!(error instanceof ApiError && error.status === 404)) throw error;
        delete result.dataset.found;
        replace(result, errorBox(new Error(`No message is known under “${id}”.`)));
      }
    },
  };
  return page;
}
