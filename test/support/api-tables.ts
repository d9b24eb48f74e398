// The tables the read API reads, created by the REAL migrations of the services that own them, so the
// API's tests cannot drift from what the consumers write. Also row builders with the columns the
// contract documents (any other column takes its default).
import { loadMigrations, migrate } from '@wapipe/clickhouse';
import type { ClickHouse } from '@wapipe/clickhouse';

const owners = ['delivery', 'replies', 'failures'] as const;

export async function createApiTables(ch: ClickHouse): Promise<void> {
  for (const owner of owners) {
    const dir = new URL(`../../services/${owner}/migrations/`, import.meta.url);
    await migrate(ch, { owner, migrations: await loadMigrations(dir) });
  }
}

/** Every table the API reads, for "still holds its rows" checks. */
export const apiTables = [
  'delivery_status_events',
  'delivery_outbound_messages',
  'delivery_rollup_minute',
  'replies_inbound',
  'failures_events',
  'failures_alerts',
] as const;

export interface StatusRow {
  event_id: string;
  session_id: string;
  provider_message_id: string;
  recipient: string;
  status: string;
  group_participant?: string;
  occurred_at: string;
}

export const statusRow = (r: StatusRow) => ({
  provider: 'meta',
  group_participant: '',
  received_at: r.occurred_at,
  pricing_category: '',
  conversation_category: '',
  kafka_partition: 0,
  kafka_offset: 0,
  ...r,
});

export const registryRow = (r: {
  message_id: string;
  provider_message_id: string;
  session_id: string;
  recipient: string;
  sent_at?: string | null;
  registered_at: string;
}) => ({ sent_at: null, campaign_id: '', category: '', ...r });

export const inboundRow = (r: {
  session_id: string;
  provider_message_id: string;
  from_id: string;
  type?: string;
  text?: string;
  reply_to_provider_message_id?: string;
  linked_provider_message_id?: string;
  occurred_at: string;
}) => ({
  event_id: `in:${r.provider_message_id}`,
  provider: 'meta',
  contact_name: '',
  type: 'text',
  text: '',
  payload: '',
  reply_to_provider_message_id: '',
  reaction_to_provider_message_id: '',
  forwarded: 0,
  linked_provider_message_id: '',
  link_method: r.linked_provider_message_id ? 'context' : 'none',
  received_at: r.occurred_at,
  kafka_partition: 0,
  kafka_offset: 0,
  ...r,
});

export const failureRow = (r: {
  event_id: string;
  session_id: string;
  provider_message_id: string;
  code: string;
  title: string;
  category: string;
  retryable: 0 | 1;
  occurred_at: string;
}) => ({
  provider: 'meta',
  recipient: '',
  details: '',
  retry_advice: 'none',
  alert: 0,
  source: r.provider_message_id ? 'status' : 'envelope',
  received_at: r.occurred_at,
  kafka_partition: 0,
  kafka_offset: 0,
  ...r,
});

export const alertRow = (r: {
  id: string;
  session_id: string;
  kind: string;
  severity: 'critical' | 'warning';
  status: 'open' | 'resolved';
  opened_at: string;
  resolved_at: string | null;
  detail: string;
  version: number;
}) => r;
