// kafkajs 2.2's request queue arms its throttle timer with `throttledUntil - Date.now()`, a negative delay
// when nothing is throttled (throttledUntil = -1). Node 24 reports each one as a TimeoutNegativeWarning on
// stderr (the timer fires after 1 ms, as on Node 20): a warning a reader cannot act on. This module, the
// one place that loads kafkajs, drops that one warning type and passes every other warning on.
const emitWarning = process.emitWarning.bind(process);

process.emitWarning = ((warning: string | Error, ...rest: unknown[]) => {
  const type = typeof rest[0] === 'string' ? rest[0] : (rest[0] as { type?: string } | undefined)?.type;
  const name = warning instanceof Error ? warning.name : type;
  if (name === 'TimeoutNegativeWarning') return;
  (emitWarning as (...args: unknown[]) => void)(warning, ...rest);
}) as typeof process.emitWarning;
