// The replies service's settings: the consumer's own, plus linking, keywords and follow-up rules.
import { z } from 'zod';
import { duration } from '@wapipe/config';
import { consumerEnv } from '@wapipe/pipeline';
import { DEFAULT_FOLLOW_UP_RULES, parseFollowUpRules } from './follow-up-rules.ts';
import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS, keywordConfig } from './opt-outs.ts';

const keywordList = (fallback: readonly string[]) =>
  z
    .string()
    .optional()
    .transform((value) =>
      value === undefined
        ? [...fallback]
        : value
            .split(',')
            .map((w) => w.trim())
            .filter(Boolean),
    );

const followUpRules = z
  .string()
  .optional()
  .transform((value, ctx) => {
    if (value === undefined) return DEFAULT_FOLLOW_UP_RULES;
    const parsed = parseFollowUpRules(value);
    if ('rules' in parsed) return parsed.rules;
    ctx.addIssue({ code: 'custom', message: parsed.problem });
    return z.NEVER;
  });

export const repliesEnv = consumerEnv
  .extend({
    /** How far back a reply without a context id looks for the contact's last outbound message. */
    REPLY_LINK_WINDOW: duration('24h'),
    /** Comma list of opt-out words (whole reply text or button payload); STOP and UNSUBSCRIBE always count. */
    OPT_OUT_KEYWORDS: keywordList(DEFAULT_OPT_OUT_KEYWORDS),
    /** Comma list of words that clear an opt-out; START always counts. */
    OPT_IN_KEYWORDS: keywordList(DEFAULT_OPT_IN_KEYWORDS),
    /** JSON array of follow-up rules (see README); default: route every free-text reply. */
    FOLLOW_UP_RULES: followUpRules,
  })
  .superRefine((env, ctx) => {
    try {
      keywordConfig(env.OPT_OUT_KEYWORDS, env.OPT_IN_KEYWORDS);
    } catch (error) {
      ctx.addIssue({ code: 'custom', path: ['OPT_IN_KEYWORDS'], message: (error as Error).message });
    }
  });
export type RepliesEnv = z.infer<typeof repliesEnv>;
