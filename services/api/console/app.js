// The console shell: sign-in with an API key, hash routes (#/overview, #/session/<id>, #/campaigns,
// #/message?id=, #/alerts, #/consumers), and refreshing the open page while the tab is visible.
import { ApiError, forgetKey, getJson, storeKey, storedKey } from './api.js';
import { errorBox, h, replace } from './ui.js';

const main = document.getElementById('main');
const nav = document.getElementById('nav');
const signOut = document.getElementById('sign-out');
const status = document.getElementById('status');

/**
 * name → () → (container, params, path) → { refresh(), refreshMs?, dispose?() }. Each page's module is
 * imported when it is opened, so a first load fetches only its own (the overview's are preloaded by
 * index.html) and the charting library only with a page that draws charts.
 */
const PAGES = {
  overview: () => import('./pages/overview.js').then((m) => m.overviewPage),
  session: () => import('./pages/session.js').then((m) => m.sessionPage),
  campaigns: () => import('./pages/campaigns.js').then((m) => m.campaignsPage),
  message: () => import('./pages/message.js').then((m) => m.messagePage),
  alerts: () => import('./pages/alerts.js').then((m) => m.alertsPage),
  consumers: () => import('./pages/consumers.js').then((m) => m.consumersPage),
};

function parseRoute() {
  const [path, query = ''] = location.hash.replace(/^#\/?/, '').split('?');
  const [name, ...rest] = path.split('/');
  return {
    name: PAGES[name] ? name : 'overview',
    arg: rest.length ? decodeURIComponent(rest.join('/')) : undefined,
    params: new URLSearchParams(query),
  };
}

/** Sets the hash's query without adding a history entry or reloading the page. */
function setParams(params) {
  const { name, arg } = parseRoute();
  const path = `#/${name}${arg === undefined ? '' : `/${encodeURIComponent(arg)}`}`;
  const query = new URLSearchParams(params).toString();
  history.replaceState(null, '', query ? `${path}?${query}` : path);
}

let current;
let timer;
/** Bumped by every route change, so a page whose module arrives after the next change is dropped. */
let routing = 0;

function schedule() {
  clearTimeout(timer);
  if (!current) return;
  timer = setTimeout(async () => {
    if (!document.hidden) await refresh();
    schedule();
  }, current.refreshMs ?? 10_000);
}

async function refresh() {
  const page = current;
  if (!page) return;
  try {
    await page.refresh();
    if (page === current) {
      status.textContent = `Updated ${new Date().toLocaleTimeString()}`;
      main.dataset.loaded = 'true';
    }
  } catch (error) {
    if (error.name === 'AbortError' || page !== current) return;
    if (error instanceof ApiError && error.status === 401)
      return showSignIn('The key stopped working: sign in again.');
    // A page that never loaded shows why in its place; a loaded one keeps its numbers and says so below.
    if (main.dataset.loaded !== 'true') replace(main, errorBox(error));
    status.textContent = `Could not refresh: ${error.message}`;
  }
}

async function route() {
  const turn = ++routing;
  if (!storedKey()) return showSignIn();
  current?.dispose?.();
  current = undefined;
  clearTimeout(timer);
  const { name, arg, params } = parseRoute();
  for (const a of nav.querySelectorAll('a')) {
    const here =
      a.getAttribute('href') === `#/${name}` ||
      (name === 'session' && a.getAttribute('href') === '#/overview');
    if (here) a.setAttribute('aria-current', 'page');
    else a.removeAttribute('aria-current');
  }
  nav.hidden = false;
  signOut.hidden = false;
  delete main.dataset.loaded;
  const container = h('div', { class: 'page', 'data-page': name });
  replace(main, container);
  let makePage;
  try {
    makePage = await PAGES[name]();
  } catch (error) {
    if (turn === routing) replace(main, errorBox(`Could not load the ${name} page: ${error.message}`));
    return;
  }
  if (turn !== routing) return;
  current = makePage(container, { arg, params, setParams });
  document.title = `${current.title ?? name} · wapipe console`;
  await refresh();
  schedule();
}

function showSignIn(message) {
  routing++;
  current?.dispose?.();
  current = undefined;
  clearTimeout(timer);
  forgetKey();
  nav.hidden = true;
  signOut.hidden = true;
  const input = h('input', {
    id: 'api-key',
    name: 'api-key',
    type: 'password',
    autocomplete: 'off',
    required: true,
    spellcheck: 'false',
  });
  const feedback = h(
    'p',
    { id: 'sign-in-error', class: 'error', role: 'alert', hidden: !message },
    message ?? '',
  );
  const form = h(
    'form',
    { class: 'sign-in', 'aria-describedby': 'sign-in-help' },
    h('h1', {}, 'Sign in'),
    h(
      'p',
      { id: 'sign-in-help' },
      'Use one of the API_KEYS of this wapipe (a read: key is enough). It stays in this tab only.',
    ),
    h('label', { for: 'api-key' }, 'API key'),
    input,
    h('button', { type: 'submit' }, 'Sign in'),
    feedback,
  );
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const key = input.value.trim();
    feedback.hidden = true;
    try {
      // Any read route proves the key; the alerts list is small.
      await getJson('/v1/alerts?limit=1', { key });
      storeKey(key);
      await route();
      main.focus();
    } catch (error) {
      feedback.textContent =
        error instanceof ApiError && error.status === 401
          ? 'That key was refused (401): it is not one of this wapipe’s API_KEYS.'
          : `Could not sign in: ${error.message}`;
      feedback.hidden = false;
      input.focus();
      input.select();
    }
  });
  replace(main, form);
  input.focus();
}

signOut.addEventListener('click', () => showSignIn());
document.addEventListener('visibilitychange', () => {
  if (!document.hidden && current) void refresh();
});
window.addEventListener('hashchange', () => void route());
void route().catch((error) => replace(main, errorBox(error)));
