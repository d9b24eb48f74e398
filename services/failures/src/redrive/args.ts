// Command-line arguments of the redrive command: one consumer name and a few flags, parsed by the shared
// parseCommandLine so an unknown option prints the usage like every wapipe command.
import { UsageError, parseCommandLine } from '@wapipe/config';
import { consumerNames } from '@wapipe/kafka';
import type { ConsumerName } from '@wapipe/kafka';

export { HelpRequested, UsageError } from '@wapipe/config';

export interface RedriveArgs {
  consumer: ConsumerName;
  /** Print the dead letters and why they are there; copy nothing. */
  list: boolean;
  idleMs: number;
  timeoutMs: number;
}

export const REDRIVE_USAGE = `usage: npm run redrive -- <${consumerNames.join('|')}> [--list] [--idle-seconds N] [--timeout-seconds N]

Copies the consumer's dead letters back into the raw topic, once each, marked for that consumer only
(header wapipe-redrive-for), so the other consumers skip them. Fix the cause first.
  --list               print the dead letters and their reasons; copy nothing
  --idle-seconds N     stop after N seconds without a dead letter (default 3)
  --timeout-seconds N  stop after N seconds whatever happens (default 600)
  --help               print this
Environment: KAFKA_BROKERS (required), TOPIC_PREFIX, KAFKA_CLIENT_ID, LOG_LEVEL.`;

function seconds(flag: string, value: string | undefined, fallbackMs: number): number {
  if (value === undefined) return fallbackMs;
  const n = Number(value);
  if (value.trim() === '' || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} needs a positive number of seconds`);
  return Math.round(n * 1000);
}

export function parseRedriveArgs(argv: readonly string[]): RedriveArgs {
  const { values, positionals } = parseCommandLine(
    argv,
    {
      list: { type: 'boolean' },
      'idle-seconds': { type: 'string' },
      'timeout-seconds': { type: 'string' },
    },
    { positionals: true },
  );
  if (positionals.length > 1)
    throw new UsageError(`one consumer at a time (got ${positionals.join(' and ')})`);
  const [name] = positionals;
  if (name === undefined) throw new UsageError('name the consumer whose dead letters to redrive');
  if (!(consumerNames as readonly string[]).includes(name))
    throw new UsageError(
      `unknown consumer ${JSON.stringify(name)}; expected one of ${consumerNames.join(', ')}`,
    );
  return {
    consumer: name as ConsumerName,
    list: values.list === true,
    idleMs: seconds('--idle-seconds', values['idle-seconds'], 3_000),
    timeoutMs: seconds('--timeout-seconds', values['timeout-seconds'], 600_000),
  };
}
