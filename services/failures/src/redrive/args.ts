// Command-line arguments of the redrive command, parsed without a library: one consumer name and a few flags.
import { consumerNames } from '@wapipe/kafka';
import type { ConsumerName } from '@wapipe/kafka';

export interface RedriveArgs {
  consumer: ConsumerName;
  /** Print the dead letters and why they are there; copy nothing. */
  list: boolean;
  idleMs: number;
  timeoutMs: number;
}

export const REDRIVE_USAGE = `usage: npm run redrive -- <${consumerNames.join('|')}> [--list] [--idle-seconds N] [--timeout-seconds N]

Copies the consumer's dead letters back to its redrive topic, once each (fix the cause first).
  --list               print the dead letters and their reasons; copy nothing
  --idle-seconds N     stop after N seconds without a dead letter (default 3)
  --timeout-seconds N  stop after N seconds whatever happens (default 600)
Environment: KAFKA_BROKERS (required), TOPIC_PREFIX, KAFKA_CLIENT_ID, LOG_LEVEL.`;

export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** Thrown for --help: print the usage and exit 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

function seconds(flag: string, value: string | undefined): number {
  const n = Number(value);
  if (value === undefined || !Number.isFinite(n) || n <= 0)
    throw new UsageError(`${flag} needs a positive number of seconds`);
  return Math.round(n * 1000);
}

export function parseRedriveArgs(argv: readonly string[]): RedriveArgs {
  let consumer: ConsumerName | undefined;
  let list = false;
  let idleMs = 3_000;
  let timeoutMs = 600_000;
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--help' || arg === '-h') throw new HelpRequested(REDRIVE_USAGE);
    if (arg === '--list') list = true;
    else if (arg === '--idle-seconds') idleMs = seconds(arg, argv[++i]);
    else if (arg === '--timeout-seconds') timeoutMs = seconds(arg, argv[++i]);
    else if (arg.startsWith('-')) throw new UsageError(`unknown option ${arg}`);
    else if (consumer !== undefined)
      throw new UsageError(`one consumer at a time (got ${consumer} and ${arg})`);
    else if ((consumerNames as readonly string[]).includes(arg)) consumer = arg as ConsumerName;
    else
      throw new UsageError(
        `unknown consumer ${JSON.stringify(arg)}; expected one of ${consumerNames.join(', ')}`,
      );
  }
  if (consumer === undefined) throw new UsageError('name the consumer whose dead letters to redrive');
  return { consumer, list, idleMs, timeoutMs };
}
