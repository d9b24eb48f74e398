// Every request the console makes goes through here: same origin, the API key as the bearer token (kept
// in sessionStorage for this tab only, never in a cookie), errors turned into one readable message.
const KEY_STORE = 'wapipe.apiKey';

export class ApiError extends Error {
  constructor(status, code, message) {
    super(message);
    this.status = status;
    this.code = code;
  }
}

export const storedKey = () => sessionStorage.getItem(KEY_STORE);
export const storeKey = (key) => sessionStorage.setItem(KEY_STORE, key);
export const forgetKey = () => sessionStorage.removeItem(KEY_STORE);

/** GET a /v1 path as JSON with the stored key (or `key`). */
export async function getJson(path, { key = storedKey(), signal } = {}) {
  let res;
  try {
    res = await fetch(path, {
      headers: { authorization: `Bearer ${key ?? ''}`, accept: 'application/json' },
      signal,
    });
  } catch (error) {
    if (error.name === 'AbortError') throw error;
    throw new ApiError(0, 'network', 'wapipe does not answer: is it running?');
  }
  if (res.ok) return res.json();
  let code = 'http_' + res.status;
  let message = `${res.status} ${res.statusText}`;
  try {
    const body = await res.json();
    if (body?.error) ({ code, message } = body.error);
  } catch {
    // not JSON: keep the status line
  }
  throw new ApiError(res.status, code, message);
}

/** Every page of a paged list (`nextCursor`), up to `max` items. */
export async function getAll(path, field, { max = 100_000, signal } = {}) {
  const items = [];
  let cursor = null;
  do {
    const sep = path.includes('?') ? '&' : '?';
    const page = await getJson(
      `${path}${sep}limit=1000${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
      { signal },
    );
    items.push(...page[field]);
    cursor = page.nextCursor ?? null;
  } while (cursor && items.length < max);
  return items;
}

/** Runs `work` over `items`, at most `limit` at a time (the browser holds 6 connections per origin). */
export async function mapLimited(items, limit, work) {
  const results = new Array(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await work(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}
