// Follow-up requests: which rules a reply matches, and the conversation context each request carries.
import type { FollowUpRequest, FollowUpTrigger } from './commands.ts';
import { followUpId } from './commands.ts';
import type { CompiledRule } from './follow-up-rules.ts';
import { dependsOnCampaign, matchingRules } from './follow-up-rules.ts';
import type { ReplyView } from './reply.ts';

/** How many earlier replies of the contact a request carries. */
export const RECENT_REPLIES = 5;

type Recent = FollowUpRequest['recent'][number] & { sessionId: string; from: string };

/**
 * One request per (reply, matching rule). With `onlyCampaignRules`, only rules that depend on the
 * campaign are tried: the others were decided when the reply was processed.
 */
export function decideFollowUps(
  replies: readonly ReplyView[],
  rules: readonly CompiledRule[],
  trigger: FollowUpTrigger,
  options: { onlyCampaignRules?: boolean; skipIds?: ReadonlySet<string> } = {},
): Omit<FollowUpRequest, 'recent'>[] {
  const candidates = options.onlyCampaignRules ? rules.filter(dependsOnCampaign) : rules;
  const requests: Omit<FollowUpRequest, 'recent'>[] = [];
  for (const reply of replies) {
    const matched = matchingRules(candidates, {
      type: reply.type,
      text: reply.text,
      payload: reply.payload,
      campaignId: reply.outbound?.campaignId || null,
      isKeywordCommand: reply.command !== null,
    });
    for (const rule of matched) {
      const id = followUpId(reply.sessionId, reply.providerMessageId, rule.rule.name);
      if (!options.skipIds?.has(id)) requests.push({ id, rule, reply, trigger });
    }
  }
  return requests;
}

/** The contact's replies before `reply` in `pool` (stored and new ones of the batch), newest first. */
export function recentRepliesBefore(reply: ReplyView, pool: readonly Recent[]): FollowUpRequest['recent'] {
  const seen = new Set<string>();
  return pool
    .filter(
      (r) =>
        r.sessionId === reply.sessionId &&
        r.from === reply.from &&
        (r.at < reply.at || (r.at === reply.at && r.providerMessageId < reply.providerMessageId)),
    )
    .sort((a, b) => b.at - a.at || (a.providerMessageId < b.providerMessageId ? 1 : -1))
    .filter((r) => !seen.has(r.providerMessageId) && seen.add(r.providerMessageId))
    .slice(0, RECENT_REPLIES)
    .map(({ providerMessageId, at, type, text }) => ({ providerMessageId, at, type, text }));
}
