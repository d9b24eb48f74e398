// Each service parses its environment once, at start, with a zod schema. A bad value stops the process
// with a message that names the variable, never its value (it may be a secret).
import { z } from 'zod';

export class ConfigError extends Error {
  override readonly name = 'ConfigError';
  readonly variables: string[];
  constructor(issues: { variable: string; problem: string }[]) {
    super('Invalid configuration:\n' + issues.map((i) => `  - ${i.variable}: ${i.problem}`).join('\n'));
    this.variables = issues.map((i) => i.variable);
  }
}

type Env = Record<string, string | undefined>;

/** Parses `env` with a schema whose keys are environment variable names. Empty strings count as unset. */
export function parseEnv<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  const cleaned: Env = {};
  for (const key of Object.keys(schema.shape)) {
    const value = env[key];
    cleaned[key] = value === undefined || value.trim() === '' ? undefined : value.trim();
  }
  const result = schema.safeParse(cleaned);
  if (result.success) return result.data;
  throw new ConfigError(
    result.error.issues.map((issue) => ({
      variable: String(issue.path[0] ?? '(environment)'),
      problem: issue.message,
    })),
  );
}

/** What is wrong with `env` for the schema (undefined: nothing), for checks that must not start anything. */
export function envProblem<S extends z.ZodObject>(schema: S, env: Env): ConfigError | undefined {
  try {
    parseEnv(schema, env);
    return undefined;
  } catch (error) {
    if (error instanceof ConfigError) return error;
    throw error;
  }
}

/** For a service's index.ts: parse or print the problem and exit(2). */
export function loadEnvOrExit<S extends z.ZodObject>(schema: S, env: Env = process.env): z.infer<S> {
  try {
    return parseEnv(schema, env);
  } catch (error) {
    if (error instanceof ConfigError) {
      process.stderr.write(error.message + '\n');
      process.exit(2);
    }
    throw error;
  }
}

export const port = (fallback: number) => z.coerce.number().int().min(0).max(65535).default(fallback);
export const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);
export const bool = (fallback: boolean) =>
  z
    .enum(['true', 'false', '1', '0', 'yes', 'no'], { message: 'expected true or false' })
    .transform((v) => v === 'true' || v === '1' || v === 'yes')
    .default(fallback);
export const list = z.string().transform((v) =>
  v
    .split(',')
    .map((s) => s.trim())
    .filter(Boolean),
);

/** A URL as it may appear in a log or an error: scheme, host, port and path, never user, password or query. */
export function urlWithoutCredentials(url: string): string {
  try {
    const parsed = new URL(url);
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === '/' ? '' : parsed.pathname}`;
  } catch {
    return '(unparseable URL)';
  }
}

const DURATION_UNITS = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 } as const;

/** `24h`, `90m`, `3600s`, `90d`, `500ms` → milliseconds. */
export const duration = (fallback: string) =>
  z
    .string()
    .default(fallback)
    .transform((value, ctx) => {
      const match = /^(\d+(?:\.\d+)?)\s*(ms|s|m|h|d)$/.exec(value.trim());
      const ms = match ? Number(match[1]) * DURATION_UNITS[match[2] as keyof typeof DURATION_UNITS] : NaN;
      if (!Number.isFinite(ms) || ms <= 0) {
        ctx.addIssue({ code: 'custom', message: 'expected a duration like 24h, 90m, 3600s or 90d' });
        return z.NEVER;
      }
      return ms;
    });
