// `wapipe sessions put|get|list`: a session's webhook configuration through PUT/GET /v1/sessions.
import type { Command } from 'commander';
import { Option } from 'commander';
import { callApi } from '../api-client.ts';
import { CliError } from '../errors.ts';
import { apiTarget, example, formatOf, withConnection, withFormat } from '../options.ts';
import type { ConnectionOptions, FormatOptions } from '../options.ts';
import { printRows, say } from '../output.ts';
import type { SampleProvider } from '../trigger-events.ts';
import { checkSecret, generateSecret, readSecret } from '../secrets.ts';
import { statePath, storeSession } from '../state.ts';

type SessionView = Record<string, unknown> & { sessionId?: string };
const fields = [
  { header: 'field', value: (r: [string, unknown]) => r[0] },
  { header: 'value', value: (r: [string, unknown]) => r[1] },
];
const listColumns = ['sessionId', 'provider', 'enableWebhook', 'updatedAt'].map((name) => ({
  header: name,
  value: (s: SessionView) => s[name],
}));

export function sessionsCommand(program: Command): void {
  const sessions = program
    .command('sessions')
    .description('manage sessions (a number connected through a provider)');

  const put = withConnection(
    sessions
      .command('put <session>')
      .description('create or replace a session; the secret is read from a file, stdin or a hidden prompt')
      .addOption(
        new Option('--provider <provider>', 'who sends its webhooks')
          .choices(['meta', 'chatsend'])
          .default('meta'),
      )
      .option('--secret-file <path>', 'read the webhook secret from this file (- for stdin)')
      .option('--generate', 'make a strong secret and keep it for `wapipe trigger` (never printed)')
      .option('--remember', 'keep the secret for `wapipe trigger` (in the wapipe state file, mode 0600)')
      .option('--verify-token-file <path>', "read Meta's hub.verify_token from this file")
      .option('--disable', 'refuse its webhooks (enableWebhook: false)'),
  ).action(
    async (
      id: string,
      o: ConnectionOptions & {
        provider: SampleProvider;
        secretFile?: string;
        generate?: boolean;
        remember?: boolean;
        verifyTokenFile?: string;
        disable?: boolean;
      },
    ) => {
      const target = apiTarget(o);
      const secret = o.generate
        ? generateSecret(o.provider)
        : await readSecret(o.secretFile, `${o.provider} webhook secret`);
      checkSecret(o.provider, secret);
      const verifyToken = o.verifyTokenFile ? await readSecret(o.verifyTokenFile, 'verify token') : undefined;
      const { body } = await callApi<SessionView>(target, 'PUT', `/v1/sessions/${encodeURIComponent(id)}`, {
        body: JSON.stringify({
          provider: o.provider,
          enableWebhook: !o.disable,
          secret,
          ...(verifyToken ? { verifyToken } : {}),
        }),
      });
      if (o.generate || o.remember) storeSession(target.url, id, { provider: o.provider, secret });
      printRows('table', Object.entries(body), fields, body);
      if (o.generate || o.remember) say(`secret kept in ${statePath()} for \`wapipe trigger ${id}\``);
    },
  );
  example(
    put,
    'wapipe sessions put shop-main --provider meta --secret-file ./meta-app-secret',
    'wapipe sessions put demo --provider chatsend --generate',
  );

  const get = withFormat(
    withConnection(sessions.command('get <session>').description('show a session (secret redacted)')),
  ).action(async (id: string, o: ConnectionOptions & FormatOptions) => {
    const target = apiTarget(o);
    const { status, body } = await callApi<SessionView>(
      target,
      'GET',
      `/v1/sessions/${encodeURIComponent(id)}`,
      { accept: [404] },
    );
    if (status === 404)
      throw new CliError(`no session "${id}" at ${target.url}: create it with \`wapipe sessions put ${id}\``);
    printRows(formatOf(o), Object.entries(body), fields, body);
  });
  example(get, 'wapipe sessions get demo --json');

  const list = withFormat(
    withConnection(sessions.command('list').description('list every session (secrets redacted)')),
  ).action(async (o: ConnectionOptions & FormatOptions) => {
    const target = apiTarget(o);
    const all: SessionView[] = [];
    let cursor: string | null = null;
    do {
      const query: string = cursor ? `?cursor=${encodeURIComponent(cursor)}` : '';
      const { status, body } = await callApi<{ sessions?: SessionView[]; nextCursor?: string | null }>(
        target,
        'GET',
        `/v1/sessions${query}`,
        { accept: [404] },
      );
      if (status === 404) {
        throw new CliError(
          `${target.url} cannot list sessions yet (GET /v1/sessions answered 404): update wapipe, or look one up with \`wapipe sessions get <session>\``,
        );
      }
      all.push(...(body.sessions ?? []));
      cursor = body.nextCursor ?? null;
    } while (cursor);
    printRows(
      formatOf(o),
      all,
      listColumns,
      { sessions: all },
      'no sessions yet: `wapipe trigger demo --burst` makes one',
    );
  });
  example(list, 'wapipe sessions list --csv');
}
