// Options every command shares: where wapipe listens and its API key, the output format, times, and the
// broker for the commands that talk to Kafka. Each has its environment variable.
import { Option } from 'commander';
import type { Command } from 'commander';
import type { ApiTarget } from './api-client.ts';
import { UsageError } from './errors.ts';
import type { OutputFormat } from './output.ts';
import { storedApiKey } from './state.ts';

export const DEFAULT_URL = 'http://localhost:8080';

export interface ConnectionOptions {
  url: string;
  key?: string;
}

export function withConnection(command: Command): Command {
  return command
    .addOption(new Option('--url <url>', 'where wapipe listens').env('WAPIPE_URL').default(DEFAULT_URL))
    .addOption(
      new Option(
        '--key <key>',
        "an API key (one of the server's API_KEYS); default: the one `wapipe start` made",
      ).env('WAPIPE_API_KEY'),
    );
}

export function apiTarget(options: ConnectionOptions): ApiTarget {
  let url: URL;
  try {
    url = new URL(options.url);
  } catch {
    throw new UsageError(`--url ${JSON.stringify(options.url)} is not a URL; e.g. --url ${DEFAULT_URL}`);
  }
  if (url.protocol !== 'http:' && url.protocol !== 'https:') {
    throw new UsageError(`--url must be http(s)://host:port (got ${options.url})`);
  }
  const base = url.origin;
  return { url: base, key: options.key || storedApiKey(base) };
}

export interface FormatOptions {
  json?: boolean;
  csv?: boolean;
}

export function withFormat(command: Command): Command {
  return command
    .addOption(new Option('--json', 'print the answer as JSON').conflicts('csv'))
    .addOption(new Option('--csv', 'print the rows as CSV'));
}

export const formatOf = (options: FormatOptions): OutputFormat =>
  options.json ? 'json' : options.csv ? 'csv' : 'table';

export interface KafkaCliOptions {
  brokers: string;
  prefix: string;
}

export function withKafka(command: Command): Command {
  return command
    .addOption(
      new Option('--brokers <host:port,…>', 'the Kafka brokers (the all-in-one starts one on :9092)')
        .env('KAFKA_BROKERS')
        .default('127.0.0.1:9092'),
    )
    .addOption(
      new Option('--prefix <prefix>', 'the TOPIC_PREFIX of the topics').env('TOPIC_PREFIX').default('wapipe'),
    );
}

export const brokerList = (options: KafkaCliOptions): string[] =>
  options.brokers
    .split(',')
    .map((b) => b.trim())
    .filter(Boolean);

const UNITS: Record<string, number> = { s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 };

/** An ISO-8601 instant, `now`, or a time ago such as `15m`, `2h`, `7d`. */
export function parseTime(flag: string, value: string, now = Date.now()): Date {
  if (value === 'now') return new Date(now);
  const ago = /^(\d+)([smhd])$/.exec(value);
  if (ago) return new Date(now - Number(ago[1]) * UNITS[ago[2]!]!);
  const ms = /^\d{4}-\d{2}-\d{2}/.test(value) ? Date.parse(value) : NaN;
  if (Number.isNaN(ms)) {
    throw new UsageError(
      `${flag} ${JSON.stringify(value)}: expected an ISO-8601 instant (2026-11-29T10:00:00Z), now, or a time ago such as 15m, 2h, 7d`,
    );
  }
  return new Date(ms);
}

export function positiveInt(flag: string, value: string, max = 100_000): number {
  const n = Number(value);
  if (!/^\d+$/.test(value) || n < 1 || n > max)
    throw new UsageError(`${flag} must be a whole number from 1 to ${max}`);
  return n;
}

export const example = (command: Command, ...lines: string[]): Command =>
  command.addHelpText(
    'after',
    `\nExample${lines.length > 1 ? 's' : ''}:\n${lines.map((l) => `  $ ${l}`).join('\n')}\n`,
  );
