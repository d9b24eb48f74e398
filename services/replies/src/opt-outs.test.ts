import { describe, expect, it } from 'vitest';
import { decideOptChanges, keywordCommand, keywordConfig } from './opt-outs.ts';
import type { KeywordCommand, OptState } from './opt-outs.ts';
import { DEFAULT_OPT_IN_KEYWORDS, DEFAULT_OPT_OUT_KEYWORDS } from './opt-outs.ts';

const config = keywordConfig(DEFAULT_OPT_OUT_KEYWORDS, DEFAULT_OPT_IN_KEYWORDS);
const optOut: KeywordCommand = { action: 'opt_out', keyword: 'stop' };
const optIn: KeywordCommand = { action: 'opt_in', keyword: 'start' };

describe('opt-out keywords', () => {
  it('match the whole text, case- and accent-folded, with punctuation around it', () => {
    expect(keywordCommand({ text: ' Stop! ', payload: null }, config)).toEqual(optOut);
    expect(keywordCommand({ text: 'arret', payload: null }, config)?.action).toBe('opt_out');
    expect(keywordCommand({ text: 'UNSUBSCRIBE', payload: null }, config)?.keyword).toBe('unsubscribe');
    expect(keywordCommand({ text: 'START', payload: null }, config)).toEqual(optIn);
  });

  it('do not match a word inside a longer text', () => {
    expect(keywordCommand({ text: 'please stop the reminders', payload: null }, config)).toBeNull();
    expect(keywordCommand({ text: 'stopwatch', payload: null }, config)).toBeNull();
  });

  it('match a button payload', () => {
    expect(keywordCommand({ text: 'No more messages', payload: 'STOP' }, config)).toEqual(optOut);
    expect(keywordCommand({ text: 'Stop promotions', payload: 'STOP_PROMOTIONS' }, config)).toBeNull();
  });

  it('always include STOP, UNSUBSCRIBE and START, whatever the lists say', () => {
    const custom = keywordConfig(['Basta'], []);
    expect(keywordCommand({ text: 'basta', payload: null }, custom)?.action).toBe('opt_out');
    expect(keywordCommand({ text: 'stop', payload: null }, custom)?.action).toBe('opt_out');
    expect(keywordCommand({ text: 'unsubscribe', payload: null }, custom)?.action).toBe('opt_out');
    expect(keywordCommand({ text: 'start', payload: null }, custom)?.action).toBe('opt_in');
  });

  it('refuse a word that is both an opt-out and an opt-in keyword', () => {
    expect(() => keywordConfig(['stop', 'alto'], ['ALTO'])).toThrow(/"alto"/);
  });
});

describe('opt-out state changes', () => {
  const candidate = (contactId: string, at: number, command: KeywordCommand, id = `m${at}`) => ({
    contactId,
    at,
    providerMessageId: id,
    command,
  });

  it('opt a contact out once, however many STOPs follow', () => {
    const changes = decideOptChanges([candidate('a', 1, optOut), candidate('a', 2, optOut)], new Map());
    expect(changes.map((c) => [c.at, c.seq])).toEqual([[1, 1]]);
  });

  it('clear an opt-out with an opt-in, and ignore an opt-in with nothing to clear', () => {
    expect(decideOptChanges([candidate('a', 1, optIn)], new Map())).toEqual([]);
    const changes = decideOptChanges([candidate('a', 3, optIn), candidate('a', 1, optOut)], new Map());
    expect(changes.map((c) => [c.command.action, c.seq])).toEqual([
      ['opt_out', 1],
      ['opt_in', 2],
    ]);
  });

  it('continue from the stored state and ignore replies older than its last change', () => {
    const stored = new Map<string, OptState>([
      ['a', { action: 'opt_out', at: 10, providerMessageId: 'm10', seq: 3 }],
    ]);
    expect(decideOptChanges([candidate('a', 11, optOut)], stored)).toEqual([]);
    expect(decideOptChanges([candidate('a', 9, optIn)], stored)).toEqual([]);
    expect(decideOptChanges([candidate('a', 12, optIn)], stored).map((c) => c.seq)).toEqual([4]);
  });

  it('decide the same whatever order a batch holds the replies in', () => {
    const replies = [
      candidate('a', 1, optOut),
      candidate('a', 2, optIn),
      candidate('a', 3, optOut),
      candidate('b', 2, optOut, 'n2'),
    ];
    const forward = decideOptChanges(replies, new Map());
    const backward = decideOptChanges([...replies].reverse(), new Map());
    expect(backward).toEqual(forward);
    expect(forward).toHaveLength(4);
  });
});
