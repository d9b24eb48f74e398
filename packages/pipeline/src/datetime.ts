/** A DateTime64(3, 'UTC') literal ClickHouse parses in any input format: `YYYY-MM-DD hh:mm:ss.sss`. */
export function chDateTime(value: Date | string | number): string {
  const date = value instanceof Date ? value : new Date(value);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
