// A generated set of outbound messages across sessions, campaigns, categories, countries and templates,
// spread over the last 20 days, with the ground truth of every analytics answer: each message's cohort
// time, dimensions, flags, latencies and whether a reply links to it. Half the registrations arrive after
// their statuses, so a message's cohort time and dimensions move after it was first counted.
import { metaEnvelope, rawKafkaRecord, recipientCountry } from '@wapipe/events';
import type { ProducedRecord } from '@wapipe/kafka';
import { rng } from './delivery-stream.ts';
import { shuffled } from './replies-conversation.ts';

const SECOND = 1000;
const MINUTE = 60 * SECOND;
const DAY = 24 * 60 * MINUTE;

export interface TruthMessage {
  session: string;
  pmid: string;
  /** The cohort time (ms): registered sentAt, else the earliest status. */
  cohort: number;
  campaign: string;
  category: string;
  country: string;
  template: string;
  delivered: boolean;
  read: boolean;
  failed: boolean;
  replied: boolean;
  /** Seconds from the cohort time to the first delivered (else read/played) report; null if none. */
  deliverSeconds: number | null;
  readSeconds: number | null;
}

export interface AnalyticsSet {
  sessions: string[];
  truth: TruthMessage[];
  records: ProducedRecord[];
}

const RECIPIENTS = ['5511987650', '9198765430', '4915112345', '1650253000', '4420794600', '12'];
const PATHS = [
  ['sent'],
  ['sent', 'delivered'],
  ['sent', 'delivered', 'read'],
  ['sent', 'failed'],
  ['failed'],
  ['sent', 'failed', 'delivered'],
  ['sent', 'read'],
  ['delivered', 'read'],
];

export function generateAnalyticsSet(options: { seed: number; messagesPerSession: number; now: number }) {
  const random = rng(options.seed);
  const pick = <T>(list: readonly T[]) => list[Math.floor(random() * list.length)]!;
  const sessions = ['an-meta-a', 'an-meta-b', 'an-meta-c'];
  const truth: TruthMessage[] = [];
  const early: ProducedRecord[] = [];
  const bodies: ProducedRecord[] = [];
  const late: ProducedRecord[] = [];
  const record = (kind: 'webhook' | 'registration', session: string, body: unknown) =>
    rawKafkaRecord(
      {
        kind,
        provider: kind === 'webhook' ? 'meta' : 'registry',
        sessionId: session,
        ingressVersion: 'test',
      },
      JSON.stringify(body),
    );
  for (const [s, session] of sessions.entries()) {
    const statuses: Record<string, unknown>[] = [];
    for (let i = 0; i < options.messagesPerSession; i++) {
      const pmid = `wamid.an.${s}.${i}`;
      // Whole seconds, as Meta reports them; the newest a little over an hour ago.
      const first = Math.floor((options.now - 70 * MINUTE - random() * 20 * DAY) / SECOND) * SECOND;
      const recipient = pick(RECIPIENTS) + String(10 + Math.floor(random() * 90));
      const pricing = random() < 0.5 ? pick(['authentication', 'service']) : '';
      const path = pick(PATHS);
      const at: Record<string, number> = {};
      let t = first;
      for (const status of path) {
        at[status] = t;
        statuses.push({
          id: pmid,
          status,
          timestamp: String(t / SECOND),
          recipient_id: recipient,
          ...(pricing
            ? { pricing: { billable: true, pricing_model: 'PMP', category: pricing, type: 'regular' } }
            : {}),
          ...(status === 'failed'
            ? { errors: [{ code: 131026, title: 'undeliverable', message: 'x' }] }
            : {}),
        });
        t += SECOND + Math.floor((random() * 25 * MINUTE) / SECOND) * SECOND;
      }
      const registered = random() < 0.7;
      const sentAt = registered && random() < 0.6 ? first - 2 * SECOND : undefined;
      const campaign = registered ? pick(['spring', 'autumn', 'winter', '']) : '';
      const category = registered ? pick(['marketing', 'utility', '']) : '';
      const template = registered ? pick(['welcome', 'promo', '']) : '';
      if (registered) {
        const body = {
          messageId: `msg-an-${s}-${i}`,
          sessionId: session,
          recipient: `+${recipient}`,
          providerMessageId: pmid,
          ...(sentAt === undefined ? {} : { sentAt: new Date(sentAt).toISOString() }),
          ...(campaign ? { campaignId: campaign } : {}),
          ...(category ? { category } : {}),
          ...(template ? { template } : {}),
        };
        (random() < 0.5 ? early : late).push(record('registration', session, body));
      }
      const replied = random() < 0.3;
      if (replied) {
        const replyAt = first + 30 * SECOND;
        bodies.push(
          record(
            'webhook',
            session,
            metaEnvelope({
              messages: [
                {
                  from: recipient,
                  id: `wamid.an.in.${s}.${i}`,
                  timestamp: String(replyAt / SECOND),
                  type: 'text',
                  text: { body: 'thanks' },
                  context: { from: '15550783881', id: pmid },
                },
              ],
              contacts: [{ profile: { name: 'C' }, wa_id: recipient }],
            }),
          ),
        );
      }
      const cohort = sentAt ?? first;
      const firstDelivery = at['delivered'] ?? at['read'];
      const since = (end: number | undefined) =>
        end === undefined ? null : Math.max(0, end - cohort) / SECOND;
      const delivered = firstDelivery !== undefined;
      truth.push({
        session,
        pmid,
        cohort,
        campaign,
        category: category || pricing,
        country: recipientCountry(recipient),
        template,
        delivered,
        read: at['read'] !== undefined,
        failed: at['failed'] !== undefined && !delivered,
        replied,
        deliverSeconds: since(firstDelivery),
        readSeconds: since(at['read']),
      });
    }
    // Statuses in random order, up to 20 a body, a tenth of the bodies sent twice.
    const mixed = shuffled(statuses, options.seed + s);
    for (let i = 0; i < mixed.length; i += 20) {
      const body = record('webhook', session, metaEnvelope({ statuses: mixed.slice(i, i + 20) }));
      bodies.push(body);
      if (random() < 0.1) bodies.push(body);
    }
  }
  return {
    sessions,
    truth,
    records: [...early, ...shuffled(bodies, options.seed), ...late],
  } satisfies AnalyticsSet;
}
