import { describe, expect, it } from 'vitest';
import { ConfigError, parseEnv } from '@wapipe/config';
import { repliesEnv } from './env.ts';

const problemOf = (env: Record<string, string>) => {
  try {
    parseEnv(repliesEnv, env);
  } catch (error) {
    if (error instanceof ConfigError) return { variables: error.variables, message: error.message };
    throw error;
  }
  throw new Error('expected a ConfigError');
};

describe('replies settings', () => {
  it('default to a 24 h window, the keyword lists and the free-text rule', () => {
    const env = parseEnv(repliesEnv, {});
    expect(env.REPLY_LINK_WINDOW).toBe(24 * 3_600_000);
    expect(env.OPT_OUT_KEYWORDS).toEqual(expect.arrayContaining(['STOP', 'UNSUBSCRIBE']));
    expect(env.OPT_IN_KEYWORDS).toEqual(expect.arrayContaining(['START']));
    expect(env.FOLLOW_UP_RULES.map((r) => r.name)).toEqual(['free-text']);
  });

  it('read durations, keyword lists and rules', () => {
    const env = parseEnv(repliesEnv, {
      REPLY_LINK_WINDOW: '90m',
      OPT_OUT_KEYWORDS: 'stop, basta ,',
      FOLLOW_UP_RULES: '[{"name":"vip","match":{"campaignIds":["vip"]}}]',
    });
    expect(env.REPLY_LINK_WINDOW).toBe(90 * 60_000);
    expect(env.OPT_OUT_KEYWORDS).toEqual(['stop', 'basta']);
    expect(env.FOLLOW_UP_RULES).toEqual([
      { name: 'vip', includeOptOuts: false, match: { campaignIds: ['vip'] } },
    ]);
    expect(parseEnv(repliesEnv, { FOLLOW_UP_RULES: '[]' }).FOLLOW_UP_RULES).toEqual([]);
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
