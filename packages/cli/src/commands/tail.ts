// `wapipe tail <session>`: follows a session's events as the consumers store them, from the API's
// server-sent event stream (GET /v1/sessions/{id}/stream), like `stripe listen`. Ctrl-C exits 0.
import type { Command } from 'commander';
import { Option } from 'commander';
import { answerError, unreachable } from '../api-client.ts';
import { CliError } from '../errors.ts';
import { apiTarget, example, withConnection } from '../options.ts';
import type { ConnectionOptions } from '../options.ts';
import { note, paintErr, paintOut, say } from '../output.ts';
import { paintStatus } from './reads.ts';

interface StreamedEvent {
  kind: string;
  eventId: string;
  providerMessageId: string;
  contact: string;
  value: string;
  detail: string;
  occurredAt: string;
}

const KIND_STYLE = { status: 'cyan', reply: 'green', failure: 'red', session: 'yellow' } as const;

function line(e: StreamedEvent): string {
  const kind = paintOut(KIND_STYLE[e.kind as keyof typeof KIND_STYLE] ?? 'bold', e.kind.padEnd(7));
  const value = e.kind === 'status' ? paintStatus(e.value) : e.value;
  const parts = [
    e.occurredAt,
    kind,
    value.padEnd(e.kind === 'status' ? 0 : 9),
    e.providerMessageId,
    e.contact,
    e.detail,
  ];
  return parts.filter((p) => p !== '').join('  ');
}

/** Splits a server-sent event stream into (event, data) pairs. */
async function* serverSentEvents(
  body: ReadableStream<Uint8Array>,
): AsyncGenerator<{ event: string; data: string }> {
  const decoder = new TextDecoder();
  let buffer = '';
  for await (const chunk of body) {
    buffer += decoder.decode(chunk, { stream: true });
    let end: number;
    while ((end = buffer.indexOf('\n\n')) >= 0) {
      const block = buffer.slice(0, end);
      buffer = buffer.slice(end + 2);
      let event = 'message';
      const data: string[] = [];
      for (const field of block.split('\n')) {
        if (field.startsWith('event:')) event = field.slice(6).trim();
        else if (field.startsWith('data:')) data.push(field.slice(5).trimStart());
      }
      if (data.length > 0) yield { event, data: data.join('\n') };
    }
  }
}

export function tailCommand(program: Command): void {
  const command = withConnection(
    program
      .command('tail <session>')
      .description("follow a session's events live, as they are stored (Ctrl-C to stop)")
      .addOption(
        new Option('--kind <kind...>', 'only these kinds').choices(['status', 'reply', 'failure', 'session']),
      )
      .option('--json', 'one JSON object per line'),
  ).action(async (session: string, o: ConnectionOptions & { kind?: string[]; json?: boolean }) => {
    const target = apiTarget(o);
    const abort = new AbortController();
    let stopped = false;
    const stop = () => {
      stopped = true;
      abort.abort();
    };
    process.once('SIGINT', stop);
    process.once('SIGTERM', stop);
    const query = o.kind?.length ? `?kind=${o.kind.join(',')}` : '';
    const path = `/v1/sessions/${encodeURIComponent(session)}/stream${query}`;
    try {
      let res: Response;
      try {
        res = await fetch(new URL(path, target.url), {
          headers: {
            accept: 'text/event-stream',
            ...(target.key ? { authorization: `Bearer ${target.key}` } : {}),
          },
          signal: abort.signal,
        });
      } catch (error) {
        if (stopped) return;
        throw unreachable(target.url, error);
      }
      if (res.status === 404) {
        throw new CliError(
          `${target.url} has no event stream for sessions (404): update wapipe to follow events`,
        );
      }
      if (!res.ok || !res.body)
        throw answerError(target, 'GET', path, res.status, await res.json().catch(() => undefined));
      for await (const { event, data } of serverSentEvents(res.body)) {
        if (event === 'ready')
          note(paintErr('green', `following ${session}: events appear as they are stored (Ctrl-C to stop)`));
        else if (event === 'error')
          throw new CliError(`the stream ended: ${(JSON.parse(data) as { message: string }).message}`);
        else if (event === 'event') {
          const e = JSON.parse(data) as StreamedEvent;
          say(o.json ? JSON.stringify(e) : line(e));
        }
      }
      if (!stopped) throw new CliError(`${target.url} closed the stream: has \`wapipe start\` stopped?`);
    } catch (error) {
      if (stopped) return;
      throw error;
    } finally {
      process.off('SIGINT', stop);
      process.off('SIGTERM', stop);
    }
  });
  example(command, 'wapipe tail demo', 'wapipe tail demo --kind failure reply --json');
}
