// The codes the consumer loop itself gives a record it refuses. A refusal for a failure the handler threw
// carries that error's own code instead (e.g. CLICKHOUSE_QUERY_FAILED), which its package's list closes.
export const refusalCodes = [
  /** The record is not a raw record wapipe wrote (missing headers, unknown kind) and had no code. */
  'RAW_RECORD_INVALID',
  /** Nothing in the record could be normalized into an event. */
  'NORMALIZE_FAILED',
  /** The handler failed on the record with an error that carried no code. */
  'PROCESSING_FAILED',
] as const;
export type RefusalCode = (typeof refusalCodes)[number];

/** The code of a failure: the error's own, else the given fallback from the closed list. */
export function failureCode(error: unknown, fallback: RefusalCode): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : fallback;
}
