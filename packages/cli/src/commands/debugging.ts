// `wapipe raw`, `wapipe audit`: the kept raw requests (of a message, or of a session) and the audit log, as
// tables, or --json / --csv.
import type { Command } from 'commander';
import { Option } from 'commander';
import { callApi } from '../api-client.ts';
import { CliError, UsageError } from '../errors.ts';
import {
  apiTarget,
  example,
  formatOf,
  parseTime,
  positiveInt,
  withConnection,
  withFormat,
} from '../options.ts';
import type { ConnectionOptions, FormatOptions } from '../options.ts';
import { printRows, say } from '../output.ts';

interface RawRequest {
  receivedAt: string;
  sessionId: string;
  provider: string;
  contentType: string;
  body: string;
  sha256: string;
  partition: number;
  offset: string;
}

const rawColumns = [
  { header: 'receivedAt', value: (r: RawRequest) => r.receivedAt },
  { header: 'provider', value: (r: RawRequest) => r.provider },
  { header: 'partition:offset', value: (r: RawRequest) => `${r.partition}:${r.offset}` },
  { header: 'bytes', value: (r: RawRequest) => Buffer.byteLength(r.body) },
  { header: 'sha256', value: (r: RawRequest) => r.sha256.slice(0, 16) },
];

/** A body as JSON, indented, when it parses; as received otherwise. */
const pretty = (body: string) => {
  try {
    return JSON.stringify(JSON.parse(body), null, 2);
  } catch {
    return body;
  }
};

type Entry = { at: string; actor: string; action: string; target: string; detail: unknown };
const auditColumns = [
  { header: 'at', value: (e: Entry) => e.at },
  { header: 'actor', value: (e: Entry) => e.actor },
  { header: 'action', value: (e: Entry) => e.action },
  { header: 'target', value: (e: Entry) => e.target },
  { header: 'detail', value: (e: Entry) => JSON.stringify(e.detail) },
];

export function debuggingCommands(program: Command): void {
  const raw = withFormat(
    withConnection(
      program
        .command('raw [id]')
        .description("the exact requests that carried a message's events, oldest first; or a session's")
        .option('--session <session>', "a session's requests instead, newest first")
        .option('--from <time>', 'with --session: start (ISO-8601, now, or a time ago: 15m, 2h, 7d)', '24h')
        .option('--to <time>', 'with --session: end, excluded', 'now')
        .option('--limit <n>', 'with --session: at most this many', '100')
        .option('--bodies', 'print each body, pretty-printed'),
    ),
  ).action(
    async (
      id: string | undefined,
      o: ConnectionOptions &
        FormatOptions & { session?: string; from: string; to: string; limit: string; bodies?: boolean },
    ) => {
      if ((id === undefined) === (o.session === undefined)) {
        throw new UsageError('give a message id, or --session <session>');
      }
      const target = apiTarget(o);
      let requests: RawRequest[];
      let body: unknown;
      if (id !== undefined) {
        const answer = await callApi<{ requests: RawRequest[] }>(
          target,
          'GET',
          `/v1/messages/${encodeURIComponent(id)}/raw`,
          { accept: [404] },
        );
        if (answer.status === 404) throw new CliError(`no message "${id}" at ${target.url}`);
        ({ requests } = answer.body);
        body = answer.body;
      } else {
        const now = Date.now();
        const query = new URLSearchParams({
          sessionId: o.session!,
          from: parseTime('--from', o.from, now).toISOString(),
          to: parseTime('--to', o.to, now).toISOString(),
          limit: String(positiveInt('--limit', o.limit, 1000)),
        });
        const answer = await callApi<{ requests: RawRequest[] }>(target, 'GET', `/v1/raw?${query}`);
        ({ requests } = answer.body);
        body = answer.body;
      }
      const format = formatOf(o);
      printRows(format, requests, rawColumns, body, 'no kept requests');
      if (format === 'table' && o.bodies) {
        for (const r of requests) {
          say();
          say(`${r.receivedAt}  ${r.partition}:${r.offset}  ${r.contentType}`);
          say(pretty(r.body));
        }
      }
    },
  );
  example(
    raw,
    'wapipe raw wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0001 --bodies',
    'wapipe raw --session demo --from 1h --json',
  );

  const audit = withFormat(
    withConnection(
      program
        .command('audit')
        .description('operator actions (session changes, registrations, redrives, replays), newest first')
        .addOption(
          new Option('--action <action>', 'only this action').choices([
            'session.put',
            'messages.register',
            'redrive',
            'replay',
          ]),
        )
        .option('--from <time>', 'start (ISO-8601, now, or a time ago: 15m, 2h, 7d)', '24h')
        .option('--to <time>', 'end, excluded', 'now')
        .option('--limit <n>', 'at most this many', '100'),
    ),
  ).action(
    async (
      o: ConnectionOptions & FormatOptions & { action?: string; from: string; to: string; limit: string },
    ) => {
      const target = apiTarget(o);
      const now = Date.now();
      const query = new URLSearchParams({
        from: parseTime('--from', o.from, now).toISOString(),
        to: parseTime('--to', o.to, now).toISOString(),
        limit: String(positiveInt('--limit', o.limit, 1000)),
      });
      if (o.action) query.set('action', o.action);
      const { body } = await callApi<{ entries: Entry[] }>(target, 'GET', `/v1/audit?${query}`);
      printRows(formatOf(o), body.entries, auditColumns, body, 'no entries');
    },
  );
  example(audit, 'wapipe audit --action session.put', 'wapipe audit --from 7d --json');
}
