// The replies consumer's logic. Inbound messages become reply rows linked to the outbound message they
// answer; registrations and statuses keep the outbound index this linking reads. New replies update the
// contacts and may publish a suppression, an opt-out / opt-in and follow-up requests. Whatever was stored
// before is read first, so a message seen again (retried, re-batched, replayed) changes nothing.
import type { DeliveryStatus, InboundMessage, Registration } from '@wapipe/events';
import type { ClickHouse } from '@wapipe/clickhouse';
import type { Counter } from '@wapipe/observability';
import type { ConsumerHandler, JournalBatch, SourcedEvent, UnitContext } from '@wapipe/pipeline';
import { followUpCommands, optCommands, suppressionCommands } from './commands.ts';
import type { FollowUpRequest } from './commands.ts';
import { contactKey } from '@wapipe/events';
import { mergeContacts } from './contacts.ts';
import type { CompiledRule } from './follow-up-rules.ts';
import { dependsOnCampaign } from './follow-up-rules.ts';
import { decideFollowUps, RECENT_REPLIES, recentRepliesBefore } from './follow-ups.ts';
import { linkReply } from './linking.ts';
import { loadRepliesLinkedTo, movedLinkRow } from './links.ts';
import type { LinkedReply } from './links.ts';
import { decideOptChanges, keywordCommand } from './opt-outs.ts';
import type { KeywordConfig } from './opt-outs.ts';
import { mergeOutbound, outboundKey } from './outbound-index.ts';
import type { OutboundEntry } from './outbound-index.ts';
import { repliedChangeRows } from './replied-cohorts.ts';
import { relinkStoredReplies } from './relinking.ts';
import { contextIdOf } from './reply.ts';
import type { ReplyView } from './reply.ts';
import { contactRow, inboundRow, indexRow } from './rows.ts';
import {
  loadContacts,
  loadFollowUpIds,
  loadOptStates,
  loadOutboundByMessage,
  loadOutboundForContacts,
  loadRecentReplies,
  loadStoredInbound,
  loadSuppressions,
  pairKey,
} from './stored-state.ts';
import { countsAsReply, decideSuppressions, suppressionId } from './suppressions.ts';

export interface RepliesConfig {
  /** How far back a reply without a context id looks for the contact's last outbound message. */
  linkWindowMs: number;
  keywords: KeywordConfig;
  rules: CompiledRule[];
}

export interface RepliesMetrics {
  stored: Counter<string>;
  repeats: Counter<string>;
  suppressions: Counter<string>;
  optChanges: Counter<'action'>;
  followUps: Counter<'rule'>;
  relinks: Counter<string>;
}

export interface RepliesHandlerOptions {
  ch: ClickHouse;
  topics: { suppressions: string; optOuts: string; followUps: string };
  config: RepliesConfig;
  metrics?: RepliesMetrics;
}

type Sourced<T> = T & Pick<SourcedEvent, 'origin'>;
type NewReply = ReplyView & { event: Sourced<InboundMessage> };

const ms = (iso: string) => Date.parse(iso);
/** [earliest - before, latest + after] of `times` (no spread: a batch may hold many thousands). */
function timeRange(times: readonly number[], before: number, after: number): { from: Date; to: Date } {
  let [min, max] = [Infinity, -Infinity];
  for (const t of times) [min, max] = [Math.min(min, t), Math.max(max, t)];
  return { from: new Date(min - before), to: new Date(max + after) };
}
const byTimeThenId = (
  a: { at: number; providerMessageId: string },
  b: { at: number; providerMessageId: string },
) =>
  a.at - b.at ||
  (a.providerMessageId < b.providerMessageId ? -1 : a.providerMessageId > b.providerMessageId ? 1 : 0);

export function createRepliesHandler(options: RepliesHandlerOptions): ConsumerHandler {
  const { ch, topics, config, metrics } = options;
  const window = config.linkWindowMs;

  const prepare = async (events: SourcedEvent[], _context: UnitContext): Promise<JournalBatch> => {
    const inbound = events.filter((e): e is Sourced<InboundMessage> => e.kind === 'inbound');
    const registrations = events.filter((e): e is Sourced<Registration> => e.kind === 'registration');
    const statuses = events.filter((e): e is Sourced<DeliveryStatus> => e.kind === 'status');
    if (inbound.length === 0 && registrations.length === 0 && statuses.length === 0) return { writes: [] };

    // What the batch teaches about outbound messages, merged into the index before any reply is linked.
    const contextKeys = inbound.flatMap((e) => {
      const id = contextIdOf(e);
      return id ? [{ sessionId: e.sessionId, providerMessageId: id }] : [];
    });
    const storedIndex = await loadOutboundByMessage(ch, [...registrations, ...statuses, ...contextKeys]);
    const indexUpdates = mergeOutbound(storedIndex, registrations, statuses);
    const known = new Map([...storedIndex, ...indexUpdates]);

    const storedInbound = await loadStoredInbound(
      ch,
      inbound.map((e) => e.sessionId),
      [...inbound.map((e) => e.providerMessageId), ...contextKeys.map((k) => k.providerMessageId)],
    );
    const fresh = inbound.filter((e) => !storedInbound.has(pairKey(e.sessionId, e.providerMessageId)));
    const replies = await linkNewReplies(
      fresh,
      new Set([...storedInbound, ...inbound.map(inboundKey)]),
      known,
    );

    // Stored replies without context whose link the batch's outbound messages moved (see relinking.ts).
    const relinks = await relinkStoredReplies(ch, {
      stored: storedIndex,
      updates: indexUpdates,
      known,
      windowMs: window,
    });
    const repliedRows = await repliedChangeRows(ch, {
      storedIndex,
      indexUpdates,
      newReplies: replies,
      relinks,
      changedAt: latestReceipt(events),
    });
    const relinked: ReplyView[] = relinks.map((r) => ({
      ...r.reply,
      contact: r.contact,
      link: r.link,
      outbound: r.outbound,
      command: keywordCommand(r.reply, config.keywords),
    }));

    const contacts = uniqueContacts(replies);
    const contactRows = mergeContacts(await loadContacts(ch, contacts), replies, pairKey);

    // A moved link gets the effects of its new link; those of the earlier one stay (see the README).
    const suppressions = await decideNewSuppressions([...replies, ...relinked]);
    const optChanges = decideOptChanges(
      replies.flatMap((reply) =>
        reply.command
          ? [
              {
                contactId: pairKey(reply.sessionId, reply.contact),
                at: reply.at,
                providerMessageId: reply.providerMessageId,
                command: reply.command,
                reply,
              },
            ]
          : [],
      ),
      await loadOptStates(ch, uniqueContacts(replies.filter((r) => r.command !== null))),
    );

    const followUps = uniqueById([
      ...decideFollowUps(replies, config.rules, 'reply'),
      ...(await relinkFollowUps(relinked)),
      ...(await lateCampaignFollowUps(storedIndex, indexUpdates, known, relinked)),
    ]);
    const requests = await withRecentReplies(followUps, replies);

    const suppressionOut = suppressionCommands(suppressions);
    const optOut = optCommands(optChanges);
    const followUpOut = followUpCommands(requests);
    metrics?.stored.inc(replies.length);
    metrics?.repeats.inc(inbound.length - fresh.length);
    metrics?.suppressions.inc(suppressions.length);
    for (const change of optChanges) metrics?.optChanges.inc({ action: change.command.action });
    for (const request of requests) metrics?.followUps.inc({ rule: request.rule.rule.name });
    metrics?.relinks.inc(relinks.length);

    return {
      writes: [
        { table: 'replies_inbound', rows: replies.map(inboundRow) },
        { table: 'replies_outbound_index', rows: [...indexUpdates.values()].map(indexRow) },
        { table: 'replies_links', rows: relinks.map((r) => movedLinkRow(r.reply, r.link, r.contact)) },
        { table: 'replies_replied_changes', rows: repliedRows },
        { table: 'replies_contacts', rows: contactRows.map(contactRow) },
        { table: 'replies_suppressions', rows: suppressionOut.rows },
        { table: 'replies_opt_outs', rows: optOut.rows },
        { table: 'replies_follow_ups', rows: followUpOut.rows },
      ],
      effects: [
        { topic: topics.suppressions, records: suppressionOut.records },
        { topic: topics.optOuts, records: optOut.records },
        { topic: topics.followUps, records: followUpOut.records },
      ],
    };
  };
  return { prepare };

  /** Links each new reply: its context id, else the contact's latest outbound within the window. */
  async function linkNewReplies(
    fresh: Sourced<InboundMessage>[],
    inboundIds: Set<string>,
    known: Map<string, OutboundEntry>,
  ): Promise<NewReply[]> {
    if (fresh.length === 0) return [];
    const contextOf = (e: InboundMessage) => {
      const id = contextIdOf(e);
      // A quote of the contact's own message is not a context: the reply is linked as if it had none.
      return id !== null && !inboundIds.has(pairKey(e.sessionId, id)) ? id : null;
    };
    const range = timeRange(
      fresh.map((e) => ms(e.occurredAt)),
      window,
      0,
    );
    const stored = await loadOutboundForContacts(
      ch,
      fresh
        .filter((e) => contextOf(e) === null)
        .map((e) => ({ sessionId: e.sessionId, contact: contactKey(e.from) })),
      range.from,
      range.to,
    );
    // Stored entries of each contact, overlaid with what this batch changed or added.
    const byContact = new Map<string, Map<string, OutboundEntry>>();
    const add = (entry: OutboundEntry) => {
      const key = pairKey(entry.sessionId, entry.recipient);
      const entries = byContact.get(key) ?? new Map<string, OutboundEntry>();
      entries.set(entry.providerMessageId, entry);
      byContact.set(key, entries);
    };
    for (const entries of stored.values()) entries.forEach(add);
    // `known` holds the newest version of every entry the batch touched or looked up.
    for (const entry of known.values()) add(entry);

    return fresh
      .map((event): NewReply => {
        const contact = contactKey(event.from);
        const at = ms(event.occurredAt);
        const candidates =
          byContact.get(pairKey(event.sessionId, contact)) ?? new Map<string, OutboundEntry>();
        const link = linkReply({ contextId: contextOf(event), at }, [...candidates.values()], window);
        const outbound =
          link.method === 'recent'
            ? (candidates.get(link.providerMessageId) ?? null)
            : link.method === 'context'
              ? (known.get(outboundKey(event.sessionId, link.providerMessageId)) ?? null)
              : null;
        return {
          event,
          eventId: event.eventId,
          sessionId: event.sessionId,
          providerMessageId: event.providerMessageId,
          from: event.from,
          contact,
          contactName: event.contactName,
          type: event.type,
          text: event.text,
          payload: event.payload,
          at,
          link,
          outbound,
          command: keywordCommand(event, config.keywords),
        };
      })
      .sort(byTimeThenId);
  }

  async function decideNewSuppressions(replies: ReplyView[]) {
    const candidates = replies
      .filter(countsAsReply)
      .map((reply) => ({ ...reply, outboundProviderMessageId: reply.link.providerMessageId }));
    if (candidates.length === 0) return [];
    const range = timeRange(
      candidates.map((c) => c.at),
      window,
      window,
    );
    const stored = await loadSuppressions(
      ch,
      uniqueContacts(candidates),
      candidates
        .filter((c) => c.outboundProviderMessageId !== '')
        .map((c) => suppressionId(c.sessionId, c.contact, c.outboundProviderMessageId, c.providerMessageId)),
      range.from,
      range.to,
    );
    return decideSuppressions(candidates, stored, window).map((c) => ({
      id: c.id,
      reply: c,
      reason: c.command?.action === 'opt_out' ? ('opt_out' as const) : ('reply' as const),
    }));
  }

  /** Campaign rules a reply matches through the outbound message its link moved to. */
  async function relinkFollowUps(relinked: ReplyView[]) {
    if (relinked.length === 0 || !config.rules.some(dependsOnCampaign)) return [];
    return decideFollowUps(relinked, config.rules, 'relink', {
      onlyCampaignRules: true,
      skipIds: await loadFollowUpIds(ch, relinked),
    });
  }

  /** Campaign rules for stored replies whose outbound message's campaign this batch made known. */
  async function lateCampaignFollowUps(
    storedIndex: Map<string, OutboundEntry>,
    indexUpdates: Map<string, OutboundEntry>,
    known: Map<string, OutboundEntry>,
    relinked: ReplyView[],
  ) {
    if (!config.rules.some(dependsOnCampaign)) return [];
    const newlyKnown = [...indexUpdates.entries()]
      .filter(([key, entry]) => entry.campaignId !== '' && (storedIndex.get(key)?.campaignId ?? '') === '')
      .map(([, entry]) => entry);
    // A reply relinked in this batch is decided by relinkFollowUps, from its new link.
    const moved = new Set(relinked.map((r) => pairKey(r.sessionId, r.providerMessageId)));
    const stored = (await loadRepliesLinkedTo(ch, newlyKnown)).filter(
      (r) => !moved.has(pairKey(r.sessionId, r.providerMessageId)),
    );
    if (stored.length === 0) return [];
    const views = stored.map((r) => storedView(r, known));
    return decideFollowUps(views, config.rules, 'registration', {
      onlyCampaignRules: true,
      skipIds: await loadFollowUpIds(ch, views),
    });
  }

  function storedView(r: LinkedReply, known: Map<string, OutboundEntry>): ReplyView {
    return {
      ...r,
      contact: contactKey(r.from),
      outbound: known.get(outboundKey(r.sessionId, r.link.providerMessageId)) ?? null,
      command: keywordCommand(r, config.keywords),
    };
  }

  async function withRecentReplies(
    decided: Omit<FollowUpRequest, 'recent'>[],
    replies: NewReply[],
  ): Promise<FollowUpRequest[]> {
    if (decided.length === 0) return [];

    const stored = await loadRecentReplies(
      ch,
      decided.map((d) => ({ sessionId: d.reply.sessionId, from: d.reply.from })),
      timeRange(
        decided.map((d) => d.reply.at),
        window,
        0,
      ),
      RECENT_REPLIES + 1,
    );
    const pool = [...[...stored.values()].flat(), ...replies];
    return decided.map((d) => ({ ...d, recent: recentRepliesBefore(d.reply, pool) }));
  }
}

/** The batch's latest receipt (a loop: a batch may hold many thousands of events). */
function latestReceipt(events: readonly SourcedEvent[]): Date {
  let latest = 0;
  for (const e of events) latest = Math.max(latest, Date.parse(e.receivedAt) || 0);
  return new Date(latest);
}

const inboundKey = (e: InboundMessage) => pairKey(e.sessionId, e.providerMessageId);

/** The first of each id (a reply's rule decided on two paths is one request). */
function uniqueById<T extends { id: string }>(items: readonly T[]): T[] {
  const seen = new Set<string>();
  return items.filter((item) => !seen.has(item.id) && seen.add(item.id));
}

function uniqueContacts(replies: readonly { sessionId: string; contact: string }[]) {
  const seen = new Map<string, { sessionId: string; contact: string }>();
  for (const r of replies)
    seen.set(pairKey(r.sessionId, r.contact), { sessionId: r.sessionId, contact: r.contact });
  return [...seen.values()];
}
