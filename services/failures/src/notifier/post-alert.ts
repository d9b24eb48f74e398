// One POST of an alert record to the operator's webhook, and what its answer means for a retry.
export type PostOutcome =
  | { outcome: 'delivered'; status: number }
  /**
   * The receiver refused this alert (a 4xx other than 408/429), or answered a redirect (3xx): sending it
   * again gets the same answer. Redirects are not followed: the alert goes only where ALERT_WEBHOOK_URL says.
   */
  | { outcome: 'rejected'; status: number }
  /** No answer, a timeout, 408, 429 or 5xx: worth retrying later. */
  | { outcome: 'failed'; status: number | null; reason: string };

export function outcomeOfStatus(status: number): PostOutcome {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  if (status >= 300 && status < 400) return { outcome: 'rejected', status };
  if (status >= 400 && status < 500 && status !== 408 && status !== 429)
    return { outcome: 'rejected', status };
  return { outcome: 'failed', status, reason: `HTTP ${status}` };
}

/** The URL as it may be logged: no user, password, query or fragment (any of them can carry a secret). */
export function loggableUrl(url: string): string {
  try {
    const u = new URL(url);
    return `${u.protocol}//${u.host}${u.pathname}`;
  } catch {
    return '(not a URL)';
  }
}

/**
 * fetch refuses a URL with a user or password in it; a receiver behind basic auth gets them as the
 * Authorization header instead, as curl would send them.
 */
function splitCredentials(url: string): { target: string; authorization: string | null } {
  const u = new URL(url);
  if (u.username === '' && u.password === '') return { target: url, authorization: null };
  const basic = Buffer.from(`${decodeURIComponent(u.username)}:${decodeURIComponent(u.password)}`);
  u.username = '';
  u.password = '';
  return { target: u.toString(), authorization: `Basic ${basic.toString('base64')}` };
}

export async function postAlert(options: {
  url: string;
  body: string;
  idempotencyKey: string;
  timeoutMs: number;
}): Promise<PostOutcome> {
  try {
    const { target, authorization } = splitCredentials(options.url);
    const response = await fetch(target, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': options.idempotencyKey,
        'user-agent': 'wapipe-failures-alert-notifier',
        ...(authorization ? { authorization } : {}),
      },
      body: options.body,
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    // Drain the body so the connection can be reused.
    await response.arrayBuffer().catch(() => undefined);
    return outcomeOfStatus(response.status);
  } catch (error) {
    const reason =
      error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')
        ? `no answer within ${options.timeoutMs} ms`
        : error instanceof Error
          ? ((error.cause as Error | undefined)?.message ?? error.message) || error.name
          : String(error);
    return { outcome: 'failed', status: null, reason };
  }
}
