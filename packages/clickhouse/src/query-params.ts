// Values reach the engine only as query_params ({name:Type} placeholders), never spliced into SQL.
// The one value we reshape is Date: the driver sends whole seconds, which silently drops milliseconds
// for DateTime64 placeholders, so those get an epoch with a fraction (timezone-free on both backends).

const placeholderPattern = /\{([A-Za-z_][A-Za-z0-9_]*):\s*([^}]+)\}/g;

/** Maps placeholder name → declared type, e.g. `{at:DateTime64(3, 'UTC')}` → at: `DateTime64(3, 'UTC')`. */
export function placeholderTypes(query: string): Map<string, string> {
  const types = new Map<string, string>();
  for (const match of query.matchAll(placeholderPattern)) {
    types.set(match[1] as string, (match[2] as string).trim());
  }
  return types;
}

/** Returns params ready for the driver: Dates bound to DateTime64 placeholders keep their milliseconds. */
export function bindParams(
  query: string,
  params: Record<string, unknown> | undefined,
): Record<string, unknown> | undefined {
  if (params === undefined || Object.keys(params).length === 0) return undefined;
  const hasDate = Object.values(params).some((v) => v instanceof Date);
  if (!hasDate) return params;
  const types = placeholderTypes(query);
  const bound: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(params)) {
    const type = types.get(name) ?? '';
    bound[name] =
      value instanceof Date && /^(Nullable\()?DateTime64\b/.test(type) ? epochWithMillis(value) : value;
  }
  return bound;
}

function epochWithMillis(date: Date): string {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) return String(ms);
  const sign = ms < 0 ? '-' : '';
  const abs = Math.abs(ms);
  return `${sign}${Math.floor(abs / 1000)}.${String(abs % 1000).padStart(3, '0')}`;
}
