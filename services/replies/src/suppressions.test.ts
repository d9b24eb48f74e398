import { describe, expect, it } from 'vitest';
import { countsAsReply, decideSuppressions, suppressionId } from './suppressions.ts';

const HOUR = 3_600_000;
const reply = (contact: string, outbound: string, at: number, id = `in-${contact}-${at}`) => ({
  sessionId: 's1',
  contact,
  outboundProviderMessageId: outbound,
  at,
  providerMessageId: id,
});

describe('suppressions', () => {
  it('suppress once per contact and outbound message, on the earliest reply', () => {
    const created = decideSuppressions(
      [reply('a', 'out1', 5), reply('a', 'out1', 2), reply('b', 'out1', 3)],
      [],
      24 * HOUR,
    );
    expect(created.map((c) => [c.contact, c.at])).toEqual([
      ['a', 2],
      ['b', 3],
    ]);
    expect(created[0]?.id).toBe(suppressionId('s1', 'a', 'out1', 'in-a-2'));
  });

  it('give a suppression the same id whichever reply triggers it', () => {
    expect(suppressionId('s1', 'a', 'out1', 'x')).toBe(suppressionId('s1', 'a', 'out1', 'y'));
    expect(suppressionId('s1', 'a', 'out1', 'x')).not.toBe(suppressionId('s1', 'a', 'out2', 'x'));
  });

  it('skip what is already stored', () => {
    const stored = [
      {
        id: suppressionId('s1', 'a', 'out1', ''),
        sessionId: 's1',
        contact: 'a',
        outboundProviderMessageId: 'out1',
        at: 1,
      },
    ];
    expect(decideSuppressions([reply('a', 'out1', 9)], stored, HOUR)).toEqual([]);
    expect(decideSuppressions([reply('a', 'out2', 9)], stored, HOUR)).toHaveLength(1);
  });

  it('suppress a contact with no known outbound message once per window', () => {
    const created = decideSuppressions(
      [reply('a', '', 0), reply('a', '', HOUR / 2), reply('a', '', 2 * HOUR)],
      [],
      HOUR,
    );
    expect(created.map((c) => c.at)).toEqual([0, 2 * HOUR]);
    const stored = [{ id: 'x', sessionId: 's1', contact: 'a', outboundProviderMessageId: '', at: 3 * HOUR }];
    expect(decideSuppressions([reply('a', '', 2.5 * HOUR)], stored, HOUR)).toEqual([]);
  });

  it('do not count notices and removed reactions as replies', () => {
    expect(countsAsReply({ type: 'system', text: 'changed number' })).toBe(false);
    expect(countsAsReply({ type: 'request_welcome', text: null })).toBe(false);
    expect(countsAsReply({ type: 'reaction', text: null })).toBe(false);
    expect(countsAsReply({ type: 'reaction', text: '👍' })).toBe(true);
    expect(countsAsReply({ type: 'image', text: null })).toBe(true);
  });
});
