// `wapipe message`, `wapipe stats`, `wapipe alerts`: the read routes as tables, or --json / --csv.
import type { Command } from 'commander';
import { Option } from 'commander';
import { callApi } from '../api-client.ts';
import type { ApiTarget } from '../api-client.ts';
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
import { paintOut, printRows, say } from '../output.ts';
import type { OutputFormat } from '../output.ts';

export interface MessageView {
  messageId: string | null;
  providerMessageId: string;
  sessionId: string;
  recipient: string;
  status: string;
  updatedAt: string | null;
  timeline: { status: string; at: string; eventId: string }[];
  failure: null | { code: string; title: string; category: string; retryable: boolean };
  replies: { providerMessageId: string; at: string; type: string; text: string }[];
}

const STATUS_STYLE: Record<string, 'green' | 'red' | 'yellow' | 'cyan'> = {
  delivered: 'green',
  read: 'green',
  played: 'green',
  failed: 'red',
  pending: 'yellow',
  sent: 'cyan',
};
export const paintStatus = (status: string) => {
  const style = STATUS_STYLE[status];
  return style ? paintOut(style, status) : status;
};

/** GET /v1/messages/{id}, or undefined on 404. */
export async function fetchMessage(target: ApiTarget, id: string): Promise<MessageView | undefined> {
  const { status, body } = await callApi<MessageView>(
    target,
    'GET',
    `/v1/messages/${encodeURIComponent(id)}`,
    {
      accept: [404],
    },
  );
  return status === 404 ? undefined : body;
}

const timelineColumns = [
  { header: 'status', value: (t: MessageView['timeline'][number]) => t.status },
  { header: 'at', value: (t: MessageView['timeline'][number]) => t.at },
  { header: 'eventId', value: (t: MessageView['timeline'][number]) => t.eventId },
];

export function printMessage(format: OutputFormat, view: MessageView): void {
  if (format !== 'table') return printRows(format, view.timeline, timelineColumns, view);
  say(`${paintOut('bold', 'message')}   ${view.messageId ?? '(not registered)'}`);
  say(`${paintOut('bold', 'provider')}  ${view.providerMessageId}`);
  say(
    `${paintOut('bold', 'session')}   ${view.sessionId}   ${paintOut('bold', 'recipient')} ${view.recipient}`,
  );
  say(
    `${paintOut('bold', 'status')}    ${paintStatus(view.status)}   ${paintOut('dim', view.updatedAt ?? '')}`,
  );
  say();
  printRows(format, view.timeline, timelineColumns, view, '(no status yet)');
  if (view.failure) {
    const f = view.failure;
    say();
    say(
      `${paintOut('red', 'failure')}   ${f.code} ${f.title} (${f.category}${f.retryable ? ', retryable' : ''})`,
    );
  }
  for (const reply of view.replies) {
    say(`${paintOut('bold', 'reply')}     ${reply.at}  ${reply.type}  ${reply.text}`);
  }
}

interface Bucket {
  start: string;
  sent: number;
  delivered: number;
  read: number;
  failed: number;
  replies: number;
}
const bucketColumns = (['start', 'sent', 'delivered', 'read', 'failed', 'replies'] as const).map((name) => ({
  header: name,
  value: (b: Bucket) => b[name],
}));

type Alert = Record<string, unknown>;
const alertColumns = ['id', 'sessionId', 'kind', 'severity', 'status', 'openedAt', 'resolvedAt'].map(
  (name) => ({
    header: name,
    value: (a: Alert) => a[name],
  }),
);

const rate = (value: unknown) => (typeof value === 'number' ? `${(value * 100).toFixed(1)}%` : '—');

export function readCommands(program: Command): void {
  const message = withFormat(
    withConnection(
      program
        .command('message <id>')
        .description("a message's timeline, failure and replies (id: your message id or the provider's)"),
    ),
  ).action(async (id: string, o: ConnectionOptions & FormatOptions) => {
    const target = apiTarget(o);
    const view = await fetchMessage(target, id);
    if (!view) {
      throw new CliError(
        `no message "${id}" at ${target.url} (yet?): consumers store within a second or two; check the id, or \`wapipe tail <session>\``,
      );
    }
    printMessage(formatOf(o), view);
  });
  example(
    message,
    'wapipe message wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI0001',
    'wapipe message order-1234 --json',
  );

  const stats = withFormat(
    withConnection(
      program
        .command('stats <session>')
        .description("a session's delivery funnel per bucket, by send time")
        .option('--from <time>', 'start (ISO-8601, now, or a time ago: 15m, 2h, 7d)', '24h')
        .option('--to <time>', 'end, excluded', 'now')
        .addOption(
          new Option('--interval <interval>', 'bucket size')
            .choices(['minute', 'hour', 'day'])
            .default('hour'),
        )
        .option('--all', 'list empty buckets too'),
    ),
  ).action(
    async (
      session: string,
      o: ConnectionOptions & FormatOptions & { from: string; to: string; interval: string; all?: boolean },
    ) => {
      const target = apiTarget(o);
      const now = Date.now();
      const from = parseTime('--from', o.from, now);
      const to = parseTime('--to', o.to, now);
      if (from >= to) throw new UsageError('--from must be before --to');
      const query = new URLSearchParams({
        from: from.toISOString(),
        to: to.toISOString(),
        interval: o.interval,
      });
      const { status, body } = await callApi<{ totals: Record<string, number | null>; buckets: Bucket[] }>(
        target,
        'GET',
        `/v1/sessions/${encodeURIComponent(session)}/stats?${query}`,
        { accept: [404] },
      );
      if (status === 404)
        throw new CliError(`no session "${session}" at ${target.url}: see \`wapipe sessions list\``);
      const format = formatOf(o);
      const rows =
        format === 'table' && !o.all ? body.buckets.filter((b) => b.sent > 0 || b.replies > 0) : body.buckets;
      printRows(format, rows, bucketColumns, body, '(nothing in this range)');
      if (format === 'table') {
        const t = body.totals;
        say(
          `${paintOut('bold', 'total')}  sent ${t['sent']}  delivered ${t['delivered']} (${rate(t['deliveryRate'])})  ` +
            `read ${t['read']} (${rate(t['readRate'])})  failed ${t['failed']} (${rate(t['failureRate'])})  replies ${t['replies']}`,
        );
      }
    },
  );
  example(
    stats,
    'wapipe stats demo',
    'wapipe stats demo --from 2026-11-29T00:00:00Z --to 2026-11-30T00:00:00Z --interval day --csv',
  );

  const alerts = withFormat(
    withConnection(
      program
        .command('alerts')
        .description('alerts, newest first')
        .option('--session <session>', "only this session's")
        .addOption(
          new Option('--status <status>', 'only open or resolved ones').choices(['open', 'resolved']),
        )
        .option('--limit <n>', 'at most this many', '100'),
    ),
  ).action(
    async (o: ConnectionOptions & FormatOptions & { session?: string; status?: string; limit: string }) => {
      const target = apiTarget(o);
      const limit = positiveInt('--limit', o.limit, 1000);
      const query = new URLSearchParams({ limit: String(limit) });
      if (o.session) query.set('sessionId', o.session);
      if (o.status) query.set('status', o.status);
      const { body } = await callApi<{ alerts: Alert[] }>(target, 'GET', `/v1/alerts?${query}`);
      printRows(formatOf(o), body.alerts, alertColumns, body, 'no alerts');
    },
  );
  example(alerts, 'wapipe alerts --status open', 'wapipe alerts --session demo --json');
}
