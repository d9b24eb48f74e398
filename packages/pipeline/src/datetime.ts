const canonicalIso = /^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/;

/** A DateTime64(3, 'UTC') literal ClickHouse parses in any input format: `YYYY-MM-DD hh:mm:ss.sss`. */
export function chDateTime(value: Date | string | number): string {
  // Events carry canonical ISO strings (toISOString's shape); reshaping the text skips a Date per value,
  // which showed up in bench/delivery.ts's profile.
  if (typeof value === 'string' && value.length === 24 && canonicalIso.test(value)) {
    return `${value.slice(0, 10)} ${value.slice(11, 23)}`;
  }
  const date = value instanceof Date ? value : new Date(value);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}
