import { describe, expect, it } from 'vitest';
import {
  compileRules,
  DEFAULT_FOLLOW_UP_RULES,
  matchingRules,
  parseFollowUpRules,
} from './follow-up-rules.ts';
import type { FollowUpRule, RuleInput } from './follow-up-rules.ts';

const input = (over: Partial<RuleInput> = {}): RuleInput => ({
  type: 'text',
  text: 'Hello',
  payload: null,
  campaignId: null,
  isKeywordCommand: false,
  ...over,
});

const rules = (list: unknown): FollowUpRule[] => {
  const parsed = parseFollowUpRules(JSON.stringify(list));
  if ('problem' in parsed) throw new Error(parsed.problem);
  return parsed.rules;
};
const names = (list: FollowUpRule[], i: RuleInput) =>
  matchingRules(compileRules(list), i).map((r) => r.rule.name);

describe('follow-up rules', () => {
  it('route every free-text reply by default, and nothing else', () => {
    expect(names(DEFAULT_FOLLOW_UP_RULES, input())).toEqual(['free-text']);
    expect(names(DEFAULT_FOLLOW_UP_RULES, input({ text: '   ' }))).toEqual([]);
    expect(names(DEFAULT_FOLLOW_UP_RULES, input({ type: 'image', text: 'a caption' }))).toEqual([]);
    expect(names(DEFAULT_FOLLOW_UP_RULES, input({ type: 'button', text: 'Yes', payload: 'YES' }))).toEqual(
      [],
    );
  });

  it('skip opt-out and opt-in replies unless a rule includes them', () => {
    const list = rules([
      { name: 'any-text', match: { freeText: true } },
      { name: 'stops', includeOptOuts: true, match: { keywords: ['stop'] } },
    ]);
    expect(names(list, input({ text: 'STOP', isKeywordCommand: true }))).toEqual(['stops']);
  });

  it('match keywords as whole words or phrases, case- and accent-folded', () => {
    const list = rules([{ name: 'billing', match: { keywords: ['invoice', 'talk to a human', 'facture'] } }]);
    expect(names(list, input({ text: 'Where is my INVOICE?' }))).toEqual(['billing']);
    expect(names(list, input({ text: 'Can I talk to a human please' }))).toEqual(['billing']);
    expect(names(list, input({ text: 'Ma FACTURE' }))).toEqual(['billing']);
    expect(names(list, input({ text: 'invoices' }))).toEqual([]);
    expect(names(list, input({ type: 'image', text: 'invoice attached' }))).toEqual(['billing']);
  });

  it('match message types, button payloads and campaigns', () => {
    const list = rules([
      { name: 'media', match: { messageTypes: ['image', 'document'] } },
      { name: 'agent-button', match: { buttonPayloads: ['TALK_TO_AGENT'] } },
      { name: 'spring', match: { anyReplyToCampaign: 'spring' } },
      { name: 'spring-text', match: { campaignIds: ['spring', 'summer'], freeText: true } },
    ]);
    expect(names(list, input({ type: 'document', text: null }))).toEqual(['media']);
    expect(names(list, input({ type: 'button', text: 'Agent', payload: 'TALK_TO_AGENT' }))).toEqual([
      'agent-button',
    ]);
    expect(names(list, input({ type: 'interactive', text: 'Agent', payload: 'TALK_TO_AGENT' }))).toEqual([
      'agent-button',
    ]);
    expect(names(list, input({ type: 'image', payload: 'TALK_TO_AGENT' }))).toEqual(['media']);
    expect(names(list, input({ type: 'reaction', text: '👍', campaignId: 'spring' }))).toEqual(['spring']);
    expect(names(list, input({ campaignId: 'spring' }))).toEqual(['spring', 'spring-text']);
    expect(names(list, input({ campaignId: 'summer' }))).toEqual(['spring-text']);
    expect(names(list, input({ campaignId: null }))).toEqual([]);
  });

  it('need every matcher of a rule to match', () => {
    const list = rules([
      {
        name: 'spring-refunds',
        queue: 'refunds',
        match: { keywords: ['refund'], anyReplyToCampaign: 'spring' },
      },
    ]);
    expect(names(list, input({ text: 'refund please', campaignId: 'spring' }))).toEqual(['spring-refunds']);
    expect(names(list, input({ text: 'refund please', campaignId: 'winter' }))).toEqual([]);
    expect(compileRules(list)[0]?.queue).toBe('refunds');
  });

  it('refuse bad JSON, unknown matchers, empty rules and duplicate names, saying where', () => {
    expect(parseFollowUpRules('[{')).toMatchObject({ problem: expect.stringMatching(/^not valid JSON/) });
    expect(parseFollowUpRules('{}')).toMatchObject({ problem: expect.stringMatching(/^rules: /) });
    expect(parseFollowUpRules('[{"name":"x","match":{}}]')).toMatchObject({
      problem: 'rules[0].match: a rule needs at least one matcher',
    });
    expect(parseFollowUpRules('[{"name":"x","match":{"color":"red"}}]')).toMatchObject({
      problem: expect.stringContaining('rules[0].match'),
    });
    expect(
      parseFollowUpRules('[{"name":"x","match":{"freeText":true}},{"name":"x","match":{"freeText":true}}]'),
    ).toMatchObject({ problem: 'rules[1].name: duplicate rule name' });
  });
});
