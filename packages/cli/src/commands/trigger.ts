// `wapipe trigger`: sends realistic, correctly signed sample webhooks to a running wapipe, so a newcomer
// sees a timeline without computing an HMAC. A session that does not exist yet is created with a fresh
// strong secret, kept in the state file where the next trigger finds it.
import { randomBytes } from 'node:crypto';
import type { Command } from 'commander';
import { Option } from 'commander';
import { callApi } from '../api-client.ts';
import type { ApiTarget } from '../api-client.ts';
import { CliError, UsageError } from '../errors.ts';
import { apiTarget, example, positiveInt, withConnection } from '../options.ts';
import type { ConnectionOptions } from '../options.ts';
import { note, paintErr, paintOut, say } from '../output.ts';
import { SESSION_EVENTS, TRIGGER_EVENTS } from '../trigger-events.ts';
import type { SampleProvider, TriggerEvent } from '../trigger-events.ts';
import { checkSecret, generateSecret } from '../secrets.ts';
import { statePath, storeSession, storedSession } from '../state.ts';
import type { StoredSession } from '../state.ts';
import { fetchMessage, printMessage } from './reads.ts';

interface TriggerOptions extends ConnectionOptions {
  count: string;
  burst?: boolean;
  secret?: string;
  provider: SampleProvider;
  code?: string;
  message?: string;
  recipient: string;
  wait?: boolean;
}

interface Session {
  sessionId: string;
  provider: SampleProvider;
  secret: string;
  stored: StoredSession | undefined;
}

/** The session's provider and secret; creates the session (fresh secret, kept) when it does not exist. */
async function resolveSession(target: ApiTarget, sessionId: string, o: TriggerOptions): Promise<Session> {
  const path = `/v1/sessions/${encodeURIComponent(sessionId)}`;
  const stored = storedSession(target.url, sessionId);
  const { status, body } = await callApi<{ provider: SampleProvider }>(target, 'GET', path, {
    accept: [404],
  });
  if (status === 200) {
    const secret = o.secret ?? (stored?.provider === body.provider ? stored.secret : undefined);
    if (!secret) {
      throw new CliError(
        `session "${sessionId}" exists but its webhook secret is not kept here: pass --secret or set WAPIPE_SECRET, ` +
          `or give it a new one with \`wapipe sessions put ${sessionId} --provider ${body.provider} --generate\``,
      );
    }
    return { sessionId, provider: body.provider, secret, stored };
  }
  const secret = o.secret ?? generateSecret(o.provider);
  checkSecret(o.provider, secret);
  await callApi(target, 'PUT', path, {
    body: JSON.stringify({ provider: o.provider, enableWebhook: true, secret }),
  });
  const created: StoredSession = { provider: o.provider, secret };
  storeSession(target.url, sessionId, created);
  note(`created session ${sessionId} (${o.provider}) with a fresh secret, kept in ${statePath()}`);
  return { sessionId, provider: o.provider, secret, stored: created };
}

/** POSTs one signed webhook, as the provider would. */
async function sendWebhook(target: ApiTarget, session: Session, body: string): Promise<void> {
  // The ingress's own signing code, loaded only when a webhook is sent (it brings the whole ingress).
  const { signMetaBody, signStandardWebhook } = await import('@wapipe/ingress');
  const headers: Record<string, string> = { 'content-type': 'application/json' };
  if (session.provider === 'meta') headers['x-hub-signature-256'] = signMetaBody(body, session.secret);
  else {
    const id = `msg_${randomBytes(12).toString('hex')}`;
    const timestamp = Math.floor(Date.now() / 1000);
    headers['webhook-id'] = id;
    headers['webhook-timestamp'] = String(timestamp);
    headers['webhook-signature'] = signStandardWebhook(id, timestamp, body, session.secret);
  }
  const path = `/webhooks/${session.provider}/${encodeURIComponent(session.sessionId)}`;
  const { status, body: answer } = await callApi<{ error?: { message?: string } }>(target, 'POST', path, {
    body,
    headers,
    auth: false,
    accept: [401, 404],
  });
  if (status === 401) {
    throw new CliError(
      `the webhook was refused (401: ${answer.error?.message ?? 'bad signature'}): the secret is not session ` +
        `${session.sessionId}'s; pass --secret or set WAPIPE_SECRET, or \`wapipe sessions put ${session.sessionId} --generate\``,
    );
  }
  if (status === 404) {
    throw new CliError(
      `session ${session.sessionId} refuses webhooks (404): enable it with \`wapipe sessions put ${session.sessionId} --generate\``,
    );
  }
}

/** Runs `work` over `items`, `limit` at a time, in order of start. */
async function inParallel<T>(
  items: readonly T[],
  limit: number,
  work: (item: T) => Promise<void>,
): Promise<void> {
  let next = 0;
  const lanes = Array.from({ length: Math.min(limit, items.length) }, async () => {
    while (next < items.length) await work(items[next++]!);
  });
  await Promise.all(lanes);
}

interface Step {
  event: TriggerEvent;
  providerMessageId: string;
  at: Date;
}

/** A whole life-cycle: registered, sent, delivered, read, and a reply, spread over the last 12 seconds. */
async function burst(target: ApiTarget, session: Session, o: TriggerOptions, count: number) {
  const { newProviderMessageId } = await import('../samples.ts');
  const t0 = Date.now() - 12_000;
  const messages = Array.from({ length: count }, (_, i) => ({
    messageId: `demo-${randomBytes(6).toString('hex')}`,
    providerMessageId: newProviderMessageId(session.provider, o.recipient),
    at: t0 + i,
  }));
  await callApi(target, 'POST', '/v1/messages', {
    body: JSON.stringify({
      messages: messages.map((m) => ({
        messageId: m.messageId,
        sessionId: session.sessionId,
        recipient: o.recipient,
        providerMessageId: m.providerMessageId,
        sentAt: new Date(m.at).toISOString(),
        campaignId: 'wapipe-demo',
        category: 'marketing',
      })),
    }),
  });
  const offsets: [TriggerEvent, number][] = [
    ['sent', 0],
    ['delivered', 2_000],
    ['read', 5_000],
    ['reply', 9_000],
  ];
  const steps: Step[] = messages.flatMap((m) =>
    offsets.map(([event, ms]) => ({
      event,
      providerMessageId: m.providerMessageId,
      at: new Date(m.at + ms),
    })),
  );
  return { messages, steps };
}

async function singleSteps(
  session: Session,
  event: TriggerEvent,
  o: TriggerOptions,
  count: number,
): Promise<Step[]> {
  const { newProviderMessageId } = await import('../samples.ts');
  const last = session.stored?.lastMessage?.providerMessageId;
  const about = () => {
    if (count === 1 && o.message) return o.message;
    if (count === 1 && event !== 'sent' && last) return last;
    return newProviderMessageId(session.provider, o.recipient);
  };
  const now = Date.now();
  return Array.from({ length: count }, (_, i) => ({
    event,
    providerMessageId: about(),
    at: new Date(now + i),
  }));
}

/** Waits (up to 20 s) until the message shows every status it was sent and its reply, then prints it. */
async function waitAndShow(target: ApiTarget, id: string, statuses: number, replies: number): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const view = await fetchMessage(target, id);
    if (view && view.timeline.length >= statuses && view.replies.length >= replies) {
      say();
      printMessage('table', view);
      return;
    }
    if (Date.now() > deadline) {
      note(
        paintErr(
          'yellow',
          `not all of it is stored after 20 s: are the consumers running? try \`wapipe message ${id}\``,
        ),
      );
      return;
    }
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

export function triggerCommand(program: Command): void {
  const command = withConnection(
    program
      .command('trigger <session> [event] [text]')
      .description(
        `send signed sample webhooks for the session's provider; event: ${TRIGGER_EVENTS.join(', ')}`,
      )
      .option('--burst', 'a whole message life-cycle: registered, sent, delivered, read, a reply')
      .option('--count <n>', 'this many (messages, or events)', '1')
      .addOption(
        new Option(
          '--secret <secret>',
          "the session's webhook secret (default: the one kept by trigger)",
        ).env('WAPIPE_SECRET'),
      )
      .addOption(
        new Option('--provider <provider>', 'provider of a session created now')
          .choices(['meta', 'chatsend'])
          .default('meta'),
      )
      .option('--code <code>', 'failure code for `failed` (Meta: e.g. 131049)')
      .option(
        '--message <providerMessageId>',
        'the message the event is about (default: the last one triggered)',
      )
      .option('--recipient <number>', "the contact's number", '16505551234')
      .option('--wait', 'wait until it is stored and print the message (default with --burst)')
      .option('--no-wait', 'do not wait'),
  ).action(
    async (sessionId: string, eventArg: string | undefined, text: string | undefined, o: TriggerOptions) => {
      const count = positiveInt('--count', o.count, 10_000);
      if (!o.burst && eventArg === undefined)
        throw new UsageError(`name an event (${TRIGGER_EVENTS.join(', ')}) or pass --burst`);
      if (o.burst && eventArg !== undefined) throw new UsageError('--burst sends its own events: name none');
      const event = eventArg as TriggerEvent | undefined;
      if (event !== undefined && !TRIGGER_EVENTS.includes(event)) {
        throw new UsageError(
          `unknown event ${JSON.stringify(event)}; expected one of ${TRIGGER_EVENTS.join(', ')}`,
        );
      }
      if (text !== undefined && event !== 'reply') throw new UsageError('only `reply` takes a text');
      const target = apiTarget(o);
      const session = await resolveSession(target, sessionId, o);
      if (event && SESSION_EVENTS.includes(event) && session.provider !== 'chatsend') {
        throw new UsageError(
          `${event} is a session state, which only ChatSend reports: try \`wapipe trigger demo-chatsend ${event} --provider chatsend\``,
        );
      }
      const planned = o.burst ? await burst(target, session, o, count) : undefined;
      const steps = planned?.steps ?? (await singleSteps(session, event!, o, count));
      const { sampleWebhook } = await import('../samples.ts');
      const started = performance.now();
      await inParallel(steps, 8, async (step) => {
        const sample = sampleWebhook(step.event, {
          provider: session.provider,
          sessionId,
          providerMessageId: step.providerMessageId,
          recipient: o.recipient,
          at: step.at,
          ...(o.code === undefined ? {} : { code: o.code }),
          ...(text === undefined ? {} : { text }),
        });
        await sendWebhook(target, session, sample.body);
      });
      const ms = Math.round(performance.now() - started);
      const lastMessage = steps.at(-1)!.providerMessageId;
      const isSessionEvent = event !== undefined && SESSION_EVENTS.includes(event);
      if (!isSessionEvent) {
        storeSession(target.url, sessionId, {
          provider: session.provider,
          secret: session.secret,
          lastMessage: { providerMessageId: lastMessage, recipient: o.recipient },
        });
      }
      note(
        `${paintErr('green', '✓')} ${steps.length} signed ${session.provider} webhook${steps.length === 1 ? '' : 's'} accepted by ${target.url} in ${ms} ms`,
      );
      if (isSessionEvent) {
        say(`session ${sessionId}: ${event}`);
        say(`see it: ${paintOut('bold', `wapipe alerts --session ${sessionId}`)}`);
        return;
      }
      const shown = planned?.messages.at(-1)?.messageId ?? lastMessage;
      say(`message ${shown}`);
      say(
        `see it: ${paintOut('bold', `wapipe message ${shown}`)}   follow it: ${paintOut('bold', `wapipe tail ${sessionId}`)}`,
      );
      if (o.wait ?? o.burst) {
        const isReply = event !== undefined && ['reply', 'button', 'reaction'].includes(event);
        await waitAndShow(target, shown, o.burst ? 3 : isReply ? 0 : 1, o.burst || isReply ? 1 : 0);
      }
    },
  );
  example(
    command,
    'wapipe trigger demo --burst',
    'wapipe trigger demo sent && wapipe trigger demo delivered',
    'wapipe trigger demo failed --code 131049',
    'wapipe trigger demo reply "Can I move it to Friday?"',
    'wapipe trigger demo-chatsend qr-required --provider chatsend',
  );
}
