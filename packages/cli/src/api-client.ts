// The API as the commands see it: one fetch wrapper that turns every way a request can go wrong into a
// message that says what to do (start the pipeline, fix WAPIPE_URL, fix the key).
import { CliError } from './errors.ts';

export interface ApiTarget {
  url: string;
  key: string | undefined;
}

export interface ApiAnswer<T> {
  status: number;
  body: T;
}

const describeCause = (error: unknown): string => {
  const cause = (error as { cause?: { code?: string; message?: string } }).cause;
  return cause?.code ?? cause?.message ?? (error as Error).message;
};

export function unreachable(url: string, error: unknown): CliError {
  return new CliError(
    `cannot reach ${url} (${describeCause(error)}): is \`wapipe start\` running? set WAPIPE_URL or --url to where wapipe listens`,
  );
}

/** A non-2xx answer as an error that names the fix. */
export function answerError(target: ApiTarget, method: string, path: string, status: number, body: unknown) {
  const detail = (body as { error?: { code?: string; message?: string } } | undefined)?.error;
  const said = detail?.message ? `: ${detail.message}` : '';
  if (status === 401) {
    return new CliError(
      target.key
        ? `${target.url} refused the API key (401${said}): pass --key or set WAPIPE_API_KEY to one of the server's API_KEYS`
        : `${target.url} needs an API key (401): pass --key or set WAPIPE_API_KEY to one of the server's API_KEYS`,
    );
  }
  if (status === 403) {
    return new CliError(`the API key may only read (403${said}): use a key without the read: prefix`);
  }
  if (status === 503) return new CliError(`${target.url} is not ready (503${said}): retry in a few seconds`);
  return new CliError(`${method} ${path} answered ${status}${said}`);
}

/**
 * Sends a request to the API. Answers in `accept` (default 2xx) return their body; any other status is an
 * error naming the fix. `auth: false` sends no key (webhooks are signed instead).
 */
export async function callApi<T = unknown>(
  target: ApiTarget,
  method: string,
  path: string,
  options: {
    body?: string;
    headers?: Record<string, string>;
    accept?: readonly number[];
    auth?: boolean;
    signal?: AbortSignal;
  } = {},
): Promise<ApiAnswer<T>> {
  const headers: Record<string, string> = { ...options.headers };
  if (options.auth !== false && target.key) headers['authorization'] = `Bearer ${target.key}`;
  if (options.body !== undefined && !headers['content-type']) headers['content-type'] = 'application/json';
  let res: Response;
  try {
    res = await fetch(new URL(path, target.url), {
      method,
      headers,
      ...(options.body === undefined ? {} : { body: options.body }),
      ...(options.signal ? { signal: options.signal } : {}),
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') throw error;
    throw unreachable(target.url, error);
  }
  const text = await res.text();
  let body: unknown = text;
  if ((res.headers.get('content-type') ?? '').includes('json')) {
    try {
      body = JSON.parse(text);
    } catch {
      body = text;
    }
  }
  const accepted = options.accept ?? [];
  if (!res.ok && !accepted.includes(res.status)) throw answerError(target, method, path, res.status, body);
  return { status: res.status, body: body as T };
}
