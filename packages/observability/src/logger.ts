// One JSON line per log call, written by pino (fast, asynchronous-safe, maintained) behind wapipe's own
// Logger interface, so no module above this package depends on pino. Field names that can carry credentials
// are redacted before pino sees them, so a careless `logger.info('x', { headers })` cannot leak a secret
// (pino's own `redact` needs the exact paths up front; ours matches any key at any depth).
import { pino } from 'pino';
import type { DestinationStream } from 'pino';

export type LogLevel = 'debug' | 'info' | 'warn' | 'error';
export type LogFields = Record<string, unknown>;

export interface Logger {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
  child(fields: LogFields): Logger;
}

const SECRET_KEY = /secret|token|password|passwd|authorization|signature|api[-_]?key|cookie/i;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6 || value === null || typeof value !== 'object') return value;
  if (value instanceof Error) return { name: value.name, message: value.message };
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    out[key] = SECRET_KEY.test(key) ? '[redacted]' : redact(v, depth + 1);
  }
  return out;
}

export interface LoggerOptions {
  level?: LogLevel;
  base?: LogFields;
  /** Where lines go (one call per line, without the newline); stdout when unset. */
  write?: (line: string) => void;
}

function destination(write: (line: string) => void): DestinationStream {
  // pino hands over each line with its trailing newline.
  return { write: (chunk: string) => write(chunk.endsWith('\n') ? chunk.slice(0, -1) : chunk) };
}

// Children are made from the root with the merged fields (not by nesting pino children), so a child's
// `service` replaces its parent's instead of writing the key twice.
function wrap(root: pino.Logger, bindings: LogFields): Logger {
  const instance = Object.keys(bindings).length === 0 ? root : root.child(bindings);
  const emit = (level: LogLevel) => (message: string, fields?: LogFields) => {
    if (!instance.isLevelEnabled(level)) return;
    if (fields === undefined) instance[level](message);
    else instance[level](redact(fields) as LogFields, message);
  };
  return {
    debug: emit('debug'),
    info: emit('info'),
    warn: emit('warn'),
    error: emit('error'),
    child: (fields) => wrap(root, { ...bindings, ...(redact(fields) as LogFields) }),
  };
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const instance = pino(
    {
      level: options.level ?? 'info',
      base: null,
      messageKey: 'msg',
      timestamp: pino.stdTimeFunctions.isoTime,
      // Levels as words ("warn"), which is what operators grep for and what wapipe always wrote.
      formatters: { level: (label) => ({ level: label }) },
    },
    options.write ? destination(options.write) : pino.destination({ fd: 1, sync: true }),
  );
  return wrap(instance, redact(options.base ?? {}) as LogFields);
}

/** A logger that drops everything; for tests and tools that own their output. */
export const silentLogger: Logger = {
  debug: () => {},
  info: () => {},
  warn: () => {},
  error: () => {},
  child: () => silentLogger,
};
