// Human follow-up routing. FOLLOW_UP_RULES is a JSON array of rules; every rule whose matchers all match
// a reply yields one follow-up request (one per reply × rule). Without the setting, one rule routes every
// free-text reply. Replies that are opt-out / opt-in keywords are skipped unless a rule includes them.
import { z } from 'zod';
import { containsPhrase, foldedWords } from './text-match.ts';

const words = z.array(z.string().trim().min(1).max(256)).min(1);

export const FollowUpMatch = z
  .strictObject({
    /** Any of these words or phrases appears, as whole words, in the reply's text (case/accent-folded). */
    keywords: words.optional(),
    /** The provider's message type is one of these (text, image, button, interactive, reaction, …). */
    messageTypes: words.optional(),
    /** The linked outbound message belongs to one of these campaigns. */
    campaignIds: words.optional(),
    /** The button payload or interactive reply id is exactly one of these. */
    buttonPayloads: words.optional(),
    /** Any reply (any type) to this campaign. */
    anyReplyToCampaign: z.string().trim().min(1).optional(),
    /** A typed text message (not a button, not media). */
    freeText: z.literal(true).optional(),
  })
  .refine((m) => Object.values(m).some((v) => v !== undefined), {
    message: 'a rule needs at least one matcher',
  });

export const FollowUpRule = z.strictObject({
  /** Unique; part of each request's id, so renaming a rule re-routes replies processed later only. */
  name: z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/, 'letters, digits, ".", "_" and "-" (max 64)'),
  /** Where a human should pick it up; default the rule's name. */
  queue: z.string().trim().min(1).max(128).optional(),
  /** Also route replies that are opt-out / opt-in keywords. */
  includeOptOuts: z.boolean().default(false),
  match: FollowUpMatch,
});
export type FollowUpRule = z.infer<typeof FollowUpRule>;

export const FollowUpRules = z.array(FollowUpRule).superRefine((rules, ctx) => {
  const seen = new Set<string>();
  rules.forEach((rule, i) => {
    if (seen.has(rule.name))
      ctx.addIssue({ code: 'custom', path: [i, 'name'], message: 'duplicate rule name' });
    seen.add(rule.name);
  });
});

export const DEFAULT_FOLLOW_UP_RULES: FollowUpRule[] = [
  { name: 'free-text', includeOptOuts: false, match: { freeText: true } },
];

/** Parses the setting's text: JSON, then the rules schema; problems are returned, never thrown. */
export function parseFollowUpRules(text: string): { rules: FollowUpRule[] } | { problem: string } {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    return { problem: `not valid JSON (${(error as Error).message})` };
  }
  const parsed = FollowUpRules.safeParse(json);
  if (parsed.success) return { rules: parsed.data };
  const issues = parsed.error.issues.slice(0, 3).map((i) => {
    const path = i.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
    return `${path === '' ? 'rules' : `rules${path}`}: ${i.message}`;
  });
  return { problem: issues.join('; ') };
}

/** What a rule looks at. campaignId is the linked outbound message's campaign, when known. */
export interface RuleInput {
  type: string;
  text: string | null;
  payload: string | null;
  campaignId: string | null;
  isKeywordCommand: boolean;
}

export interface CompiledRule {
  rule: FollowUpRule;
  queue: string;
  phrases: string[][] | null;
  campaigns: Set<string> | null;
}

export function compileRules(rules: readonly FollowUpRule[]): CompiledRule[] {
  return rules.map((rule) => {
    const { keywords, campaignIds, anyReplyToCampaign } = rule.match;
    const campaigns = [...(campaignIds ?? [])];
    return {
      rule,
      queue: rule.queue ?? rule.name,
      phrases: keywords ? keywords.map(foldedWords).filter((p) => p.length > 0) : null,
      // anyReplyToCampaign and campaignIds both constrain the campaign; together they must agree.
      campaigns:
        anyReplyToCampaign !== undefined
          ? new Set(campaignIds && !campaigns.includes(anyReplyToCampaign) ? [] : [anyReplyToCampaign])
          : campaignIds
            ? new Set(campaigns)
            : null,
    };
  });
}

/** True when the rule's outcome depends on the reply's campaign (so a late registration can change it). */
export const dependsOnCampaign = (rule: CompiledRule) => rule.campaigns !== null;

const BUTTON_TYPES = new Set(['button', 'interactive']);

export function ruleMatches(compiled: CompiledRule, input: RuleInput): boolean {
  const { rule, phrases, campaigns } = compiled;
  const m = rule.match;
  if (input.isKeywordCommand && !rule.includeOptOuts) return false;
  if (m.freeText && !(input.type === 'text' && (input.text ?? '').trim() !== '')) return false;
  if (m.messageTypes && !m.messageTypes.includes(input.type)) return false;
  if (m.buttonPayloads) {
    if (
      !BUTTON_TYPES.has(input.type) ||
      input.payload === null ||
      !m.buttonPayloads.includes(input.payload)
    ) {
      return false;
    }
  }
  if (campaigns && (input.campaignId === null || !campaigns.has(input.campaignId))) return false;
  if (phrases) {
    const textWords = foldedWords(input.text ?? '');
    if (!phrases.some((phrase) => containsPhrase(textWords, phrase))) return false;
  }
  return true;
}

export function matchingRules(rules: readonly CompiledRule[], input: RuleInput): CompiledRule[] {
  return rules.filter((rule) => ruleMatches(rule, input));
}
