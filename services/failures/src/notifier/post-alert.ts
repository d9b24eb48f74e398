// One POST of an alert record to the operator's webhook, and what its answer means for a retry.
export type PostOutcome =
  | { outcome: 'delivered'; status: number }
  /** The receiver refused this alert (a 4xx other than 408/429): sending it again gets the same answer. */
  | { outcome: 'rejected'; status: number }
  /** No answer, a timeout, 408, 429 or 5xx: worth retrying later. */
  | { outcome: 'failed'; status: number | null; reason: string };

export function outcomeOfStatus(status: number): PostOutcome {
  if (status >= 200 && status < 300) return { outcome: 'delivered', status };
  if (status >= 400 && status < 500 && status !== 408 && status !== 429)
    return { outcome: 'rejected', status };
  return { outcome: 'failed', status, reason: `HTTP ${status}` };
}

export async function postAlert(options: {
  url: string;
  body: string;
  idempotencyKey: string;
  timeoutMs: number;
}): Promise<PostOutcome> {
  try {
    const response = await fetch(options.url, {
      method: 'POST',
      headers: {
        'content-type': 'application/json',
        'idempotency-key': options.idempotencyKey,
        'user-agent': 'wapipe-failures-alert-notifier',
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
