// How much does reading a webhook cost on top of parsing it? For realistic Meta bodies (single statuses,
// 50-status batches, mixed inbound batches) this times, on one core, the work the pipeline does per
// request: the ingress's JSON.parse + validateMetaBody, then the consumer's normalizeRecord (which parses
// the raw bytes again). The baseline is one plain JSON.parse of the same bytes.
//
//   npx tsx bench/events-normalize.ts            (BENCH_ROUNDS=7 by default)
import { normalizeRecord, validateMetaBody, type RawRecord } from '@wapipe/events';

const ROUNDS = Number(process.env['BENCH_ROUNDS'] ?? 7);
const PHONE = { display_phone_number: '15550783881', phone_number_id: '106540352242922' };

let seq = 0;
const wamid = () =>
  `wamid.HBgLMTY1MDU1NTEyMzQVAgARGBI${(seq++).toString(16).toUpperCase().padStart(8, '0')}QzQ0RjA4MkU3AA==`;
const phone = () => `1650555${String(seq % 10_000).padStart(4, '0')}`;
const ts = () => String(1_750_857_000 + (seq % 86_400));

function status(): Record<string, unknown> {
  const kind = seq % 10;
  const base = { id: wamid(), timestamp: ts(), recipient_id: phone() };
  if (kind === 0) {
    return {
      ...base,
      status: 'failed',
      errors: [
        {
          code: 131026,
          title: 'Message undeliverable',
          message: 'Message undeliverable',
          error_data: { details: 'Message Undeliverable.' },
        },
      ],
    };
  }
  return {
    ...base,
    status: (['sent', 'delivered', 'read'] as const)[kind % 3],
    biz_opaque_callback_data: `campaign-spring:msg-${seq}`,
    conversation: { id: '3f9c1e7a52b84d0c9e6f1a2b3c4d5e6f', origin: { type: 'marketing' } },
    pricing: { billable: true, pricing_model: 'PMP', type: 'regular', category: 'marketing' },
  };
}

function message(from: string): Record<string, unknown> {
  const base = { from, id: wamid(), timestamp: ts() };
  switch (seq % 5) {
    case 0:
      return { ...base, type: 'text', text: { body: 'Is the blue one back in stock? I would like two.' } };
    case 1:
      return {
        ...base,
        type: 'image',
        image: {
          caption: 'This one',
          mime_type: 'image/jpeg',
          sha256: 'ab'.repeat(32),
          id: '1466022871905532',
        },
      };
    case 2:
      return {
        ...base,
        type: 'interactive',
        context: { from: PHONE.display_phone_number, id: wamid() },
        interactive: { type: 'button_reply', button_reply: { id: 'confirm-8812', title: 'Confirm' } },
      };
    case 3:
      return { ...base, type: 'reaction', reaction: { message_id: wamid(), emoji: '👍' } };
    default:
      return {
        ...base,
        type: 'button',
        context: { from: PHONE.display_phone_number, id: wamid() },
        button: { payload: 'STOP', text: 'Stop' },
      };
  }
}

const envelope = (value: Record<string, unknown>) => ({
  object: 'whatsapp_business_account',
  entry: [
    {
      id: '102290129340398',
      changes: [{ field: 'messages', value: { messaging_product: 'whatsapp', metadata: PHONE, ...value } }],
    },
  ],
});

function mixedBody(): unknown {
  const senders = [phone(), phone(), phone()];
  return envelope({
    contacts: senders.map((wa_id, i) => ({ profile: { name: `Customer ${i}` }, wa_id })),
    messages: Array.from({ length: 6 }, (_, i) => message(senders[i % 3]!)),
    statuses: [status(), status()],
  });
}

const toRecord = (body: unknown, i: number): RawRecord => ({
  meta: {
    version: 'raw.v1',
    kind: 'webhook',
    provider: 'meta',
    sessionId: 'sess_bench',
    requestId: `req_${i}`,
    receivedAt: '2026-11-29T10:00:00.000Z',
    contentType: 'application/json',
    ingressVersion: 'bench',
  },
  body: Buffer.from(JSON.stringify(body)),
});

const scenarios = [
  {
    name: '1-status bodies',
    records: Array.from({ length: 20_000 }, (_, i) => toRecord(envelope({ statuses: [status()] }), i)),
  },
  {
    name: '50-status batches',
    records: Array.from({ length: 400 }, (_, i) =>
      toRecord(envelope({ statuses: Array.from({ length: 50 }, status) }), i),
    ),
  },
  {
    name: 'mixed message bodies',
    records: Array.from({ length: 2_500 }, (_, i) => toRecord(mixedBody(), i)),
  },
];

function parseOnly(records: RawRecord[]): void {
  for (const r of records) JSON.parse(r.body.toString('utf8'));
}

function validateAndNormalize(records: RawRecord[]): number {
  let produced = 0;
  for (const r of records) {
    const check = validateMetaBody(JSON.parse(r.body.toString('utf8')));
    if (!check.ok) throw new Error(`bench body rejected: ${check.message}`);
    produced += normalizeRecord(r).events.length;
  }
  return produced;
}

const timeMs = (fn: () => void): number => {
  const start = process.hrtime.bigint();
  fn();
  return Number(process.hrtime.bigint() - start) / 1e6;
};
const median = (xs: number[]): number => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const perSecond = (events: number, ms: number) => Math.round(events / (ms / 1000)).toLocaleString('en-US');

console.log(`events-normalize: ${ROUNDS} rounds per scenario, one core (node ${process.version})\n`);
const summary: string[] = [];
for (const { name, records } of scenarios) {
  const received = records.reduce(
    (n, r) => n + (validateMetaBody(JSON.parse(r.body.toString('utf8'))) as { events: number }).events,
    0,
  );
  const bytes = records.reduce((n, r) => n + r.body.length, 0);
  console.log(
    `${name}: ${records.length} bodies, ${received} events, ${(bytes / 1024 / 1024).toFixed(1)} MiB`,
  );
  parseOnly(records); // warm-up: let the JIT settle before measuring
  validateAndNormalize(records);
  const parse: number[] = [];
  const pipeline: number[] = [];
  let produced = 0;
  for (let round = 1; round <= ROUNDS; round++) {
    parse.push(timeMs(() => parseOnly(records)));
    pipeline.push(timeMs(() => (produced = validateAndNormalize(records))));
    console.log(
      `  round ${round}/${ROUNDS}: JSON.parse ${parse.at(-1)!.toFixed(1)} ms, validate+normalize ${pipeline.at(-1)!.toFixed(1)} ms`,
    );
  }
  const p = median(parse);
  const v = median(pipeline);
  const line =
    `${name.padEnd(22)} JSON.parse ${perSecond(received, p).padStart(11)} events/s | ` +
    `validate+normalize ${perSecond(received, v).padStart(11)} events/s (${produced} normalized) | ratio ${(v / p).toFixed(2)}x`;
  console.log(`  median: ${line}\n`);
  summary.push(line);
}
console.log('summary (medians; ratio = validate+normalize time / JSON.parse time)');
for (const line of summary) console.log(`  ${line}`);
