// The commands this service publishes, with the rows that record them. Every command's id is a hash of
// what makes it itself, so a command re-sent after a crash carries the same id and can be dropped.
//   suppressions topic: { id, type: 'suppression', sessionId, contact, outbound, reason, reply, suppressedAt }
//   opt-outs topic:     { id, type: 'opt_out' | 'opt_in', sessionId, contact, keyword, reply, at }
//   follow-ups topic:   { id, type: 'follow_up', sessionId, rule, queue, trigger, contact, reply, outbound,
//                         recentReplies }
import { eventIdFromParts } from '@wapipe/events';
import type { EffectRecord } from '@wapipe/pipeline';
import type { CompiledRule } from './follow-up-rules.ts';
import type { KeywordCommand } from './opt-outs.ts';
import type { ReplyView } from './reply.ts';
import { at64, contactJson, iso, linkColumns, outboundJson, replyJson } from './reply.ts';
import type { SuppressionReason } from './suppressions.ts';

export interface Commands {
  rows: Record<string, unknown>[];
  records: EffectRecord[];
}

function record<V extends { id: string; type: string; sessionId: string }>(value: V): EffectRecord {
  return {
    key: value.sessionId,
    value: JSON.stringify(value),
    headers: { 'wapipe-effect-id': value.id, 'wapipe-effect-type': value.type },
  };
}

export function suppressionCommands(
  decided: readonly { id: string; reply: ReplyView; reason: SuppressionReason }[],
): Commands {
  const commands: Commands = { rows: [], records: [] };
  for (const { id, reply, reason } of decided) {
    commands.rows.push({
      id,
      session_id: reply.sessionId,
      contact: reply.contact,
      contact_name: reply.contactName ?? '',
      ...linkColumns(reply),
      reason,
      inbound_provider_message_id: reply.providerMessageId,
      inbound_event_id: reply.eventId,
      inbound_type: reply.type,
      suppressed_at: at64(reply.at),
    });
    commands.records.push(
      record({
        id,
        type: 'suppression',
        sessionId: reply.sessionId,
        contact: contactJson(reply),
        outbound: outboundJson(reply),
        reason,
        reply: replyJson(reply),
        suppressedAt: iso(reply.at),
      }),
    );
  }
  return commands;
}

export const optCommandId = (reply: ReplyView, command: KeywordCommand) =>
  eventIdFromParts(['opt', command.action, reply.sessionId, reply.contact, reply.providerMessageId]);

export function optCommands(
  changes: readonly { reply: ReplyView; command: KeywordCommand; seq: number }[],
): Commands {
  const commands: Commands = { rows: [], records: [] };
  for (const { reply, command, seq } of changes) {
    const id = optCommandId(reply, command);
    commands.rows.push({
      id,
      session_id: reply.sessionId,
      contact: reply.contact,
      action: command.action,
      keyword: command.keyword,
      inbound_provider_message_id: reply.providerMessageId,
      inbound_event_id: reply.eventId,
      at: at64(reply.at),
      seq,
    });
    commands.records.push(
      record({
        id,
        type: command.action,
        sessionId: reply.sessionId,
        contact: contactJson(reply),
        keyword: command.keyword,
        reply: replyJson(reply),
        at: iso(reply.at),
      }),
    );
  }
  return commands;
}

export const followUpId = (sessionId: string, inboundProviderMessageId: string, rule: string) =>
  eventIdFromParts(['follow-up', sessionId, inboundProviderMessageId, rule]);

export type FollowUpTrigger = 'reply' | 'registration' | 'relink';

export interface FollowUpRequest {
  id: string;
  rule: CompiledRule;
  reply: ReplyView;
  trigger: FollowUpTrigger;
  /** The contact's replies before this one, newest first. */
  recent: readonly Pick<ReplyView, 'providerMessageId' | 'at' | 'type' | 'text'>[];
}

export function followUpCommands(requests: readonly FollowUpRequest[]): Commands {
  const commands: Commands = { rows: [], records: [] };
  for (const { id, rule, reply, trigger, recent } of requests) {
    const value = {
      id,
      type: 'follow_up',
      sessionId: reply.sessionId,
      rule: rule.rule.name,
      queue: rule.queue,
      trigger,
      contact: contactJson(reply),
      reply: replyJson(reply),
      outbound: outboundJson(reply),
      recentReplies: recent.map((r) => ({
        providerMessageId: r.providerMessageId,
        at: iso(r.at),
        type: r.type,
        text: r.text,
      })),
    };
    const published = record(value);
    commands.rows.push({
      id,
      session_id: reply.sessionId,
      rule: rule.rule.name,
      queue: rule.queue,
      contact: reply.contact,
      inbound_provider_message_id: reply.providerMessageId,
      inbound_event_id: reply.eventId,
      inbound_type: reply.type,
      ...linkColumns(reply),
      reply_at: at64(reply.at),
      trigger,
      request: published.value,
    });
    commands.records.push(published);
  }
  return commands;
}
