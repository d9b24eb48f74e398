// Reads what is already stored for the messages of a batch: the ids of their status events (to drop
// repeats) and the facts the new events are applied to.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { DELIVERY_STATUSES } from '@wapipe/events';
import type { DeliveryStatusValue } from '@wapipe/events';
import { emptyFacts, withStatus } from './facts.ts';
import type { MessageFacts } from './facts.ts';

export interface StoredMessage {
  facts: MessageFacts;
  eventIds: Set<string>;
}

const StatusGroup = z.object({
  provider_message_id: z.string(),
  session_id: z.string(),
  recipient: z.string(),
  status: z.enum(DELIVERY_STATUSES),
  at: z.string(),
  priced_category: z.string(),
  priced_at: z.string(),
  ids: z.array(z.string()),
});

const RegistrationRow = z.object({
  provider_message_id: z.string(),
  message_id: z.string(),
  session_id: z.string(),
  recipient: z.string(),
  sent_at: z.string().nullable(),
  campaign_id: z.string(),
  category: z.string(),
  template: z.string(),
});

// `IN (SELECT arrayJoin(…))` builds a hashed set; a bare `IN {ids:Array(String)}` compared every row with
// the whole array (15 s for 25k ids against 100k rows, measured in bench/delivery.ts). The ids travel as
// one comma-joined String: binding an Array(String) of 25k ids took twice as long as the lookup itself.
// An id with a comma in it (never a real provider id) sends the batch the slower, exact way.
function idSet(ids: string[]): { sql: string; params: Record<string, unknown> } {
  if (ids.some((id) => id.includes(',')))
    return { sql: '(SELECT arrayJoin({ids:Array(String)}))', params: { ids } };
  return { sql: `(SELECT arrayJoin(splitByChar(',', {ids:String})))`, params: { ids: ids.join(',') } };
}

export async function loadStoredMessages(
  ch: ClickHouse,
  providerMessageIds: string[],
): Promise<Map<string, StoredMessage>> {
  const stored = new Map<string, StoredMessage>();
  if (providerMessageIds.length === 0) return stored;
  const ids = idSet(providerMessageIds);
  const [groups, registrations] = await Promise.all([
    ch.query({
      query: `SELECT provider_message_id, any(session_id) AS session_id, any(recipient) AS recipient, status,
                     min(occurred_at) AS at, groupArray(event_id) AS ids,
                     argMinIf(pricing_category, (occurred_at, pricing_category), pricing_category != '')
                       AS priced_category,
                     minIf(occurred_at, pricing_category != '') AS priced_at
              FROM ${ch.table('delivery_status_events')}
              WHERE provider_message_id IN ${ids.sql}
              GROUP BY provider_message_id, status`,
      params: ids.params,
      schema: StatusGroup,
    }),
    ch.query({
      query: `SELECT provider_message_id, message_id, session_id, recipient, sent_at, campaign_id, category, template
              FROM ${ch.table('delivery_outbound_messages')}
              WHERE provider_message_id IN ${ids.sql}
              ORDER BY registered_at
              LIMIT 1 BY provider_message_id`,
      params: ids.params,
      schema: RegistrationRow,
    }),
  ]);
  const entry = (pmid: string, sessionId: string, recipient: string) => {
    let found = stored.get(pmid);
    if (!found) {
      found = { facts: emptyFacts(sessionId, pmid, recipient), eventIds: new Set() };
      stored.set(pmid, found);
    }
    return found;
  };
  for (const g of groups) {
    const found = entry(g.provider_message_id, g.session_id, g.recipient);
    found.facts = withStatus(
      found.facts,
      g.status as DeliveryStatusValue,
      g.at,
      g.priced_category,
      g.priced_at,
    );
    for (const id of g.ids) found.eventIds.add(id);
  }
  for (const r of registrations) {
    const found = entry(r.provider_message_id, r.session_id, r.recipient);
    found.facts = {
      ...found.facts,
      registration: {
        messageId: r.message_id,
        sentAt: r.sent_at,
        campaignId: r.campaign_id || null,
        category: r.category || null,
        template: r.template || null,
      },
    };
  }
  return stored;
}
