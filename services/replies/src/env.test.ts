import { describe, expect, it } from 'vitest';
import { envProblem, parseEnv } from '@wapipe/config';
import { repliesEnv } from './env.ts';

// A broker is required alone (below); every other case sets one.
const brokers = { KAFKA_BROKERS: 'kafka:9092' };
const problemOf = (env: Record<string, string>) => {
  const problem = envProblem(repliesEnv, { ...brokers, ...env });
  if (!problem) throw new Error('expected a ConfigError');
  return { variables: problem.variables, message: problem.message };
};

describe('replies settings', () => {
  it('default to a 24 h window, the keyword lists and the free-text rule', () => {
    const env = parseEnv(repliesEnv, brokers);
    expect(env.REPLY_LINK_WINDOW).toBe(24 * 3_600_000);
    expect(env.OPT_OUT_KEYWORDS).toEqual(expect.arrayContaining(['STOP', 'UNSUBSCRIBE']));
    expect(env.OPT_IN_KEYWORDS).toEqual(expect.arrayContaining(['START']));
    expect(env.FOLLOW_UP_RULES.map((r) => r.name)).toEqual(['free-text']);
  });

  it('read durations, keyword lists and rules', () => {
    const env = parseEnv(repliesEnv, {
      ...brokers,
      REPLY_LINK_WINDOW: '90m',
      OPT_OUT_KEYWORDS: 'stop, basta ,',
      FOLLOW_UP_RULES: '[{"name":"vip","match":{"campaignIds":["vip"]}}]',
    });
    expect(env.REPLY_LINK_WINDOW).toBe(90 * 60_000);
    expect(env.OPT_OUT_KEYWORDS).toEqual(['stop', 'basta']);
    expect(env.FOLLOW_UP_RULES).toEqual([
      { name: 'vip', includeOptOuts: false, match: { campaignIds: ['vip'] } },
    ]);
    expect(parseEnv(repliesEnv, { ...brokers, FOLLOW_UP_RULES: '[]' }).FOLLOW_UP_RULES).toEqual([]);
  });

  it('refuse settings without KAFKA_BROKERS, naming the variable and what to set', () => {
    const problem = envProblem(repliesEnv, {});
    expect(problem?.variables).toEqual(['KAFKA_BROKERS']);
    expect(problem?.message).toMatch(
      /KAFKA_BROKERS: required: host:port\[,host:port…\] of the Kafka brokers/,
    );
  });

  it('name the variable that is wrong', () => {
    expect(problemOf({ FOLLOW_UP_RULES: '[{"name":' }).variables).toEqual(['FOLLOW_UP_RULES']);
    expect(problemOf({ FOLLOW_UP_RULES: '[{"name":' }).message).toMatch(/FOLLOW_UP_RULES: not valid JSON/);
    expect(problemOf({ REPLY_LINK_WINDOW: '24' }).variables).toEqual(['REPLY_LINK_WINDOW']);
    expect(problemOf({ OPT_OUT_KEYWORDS: 'stop,alto', OPT_IN_KEYWORDS: 'alto' }).variables).toEqual([
      'OPT_IN_KEYWORDS',
    ]);
  });
});
