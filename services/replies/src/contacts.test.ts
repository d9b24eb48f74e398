import { describe, expect, it } from 'vitest';
import { mergeContacts } from './contacts.ts';
import type { ContactState } from './contacts.ts';

const keyOf = (s: string, c: string) => `${s}/${c}`;
const seen = (at: number, name: string | null, id = `m${at}`) => ({
  sessionId: 's1',
  contact: 'a',
  contactName: name,
  at,
  providerMessageId: id,
});

describe('contacts', () => {
  it('records first and last seen and the latest profile name, in any order', () => {
    const sightings = [seen(5, 'Ana B.'), seen(1, 'Ana'), seen(3, null)];
    for (const order of [sightings, [...sightings].reverse()]) {
      expect(mergeContacts(new Map(), order, keyOf)).toEqual([
        {
          sessionId: 's1',
          waId: 'a',
          profileName: 'Ana B.',
          firstSeenAt: 1,
          lastSeenAt: 5,
          inboundCount: 3,
          lastProviderMessageId: 'm5',
          version: 1,
        },
      ]);
    }
  });

  it('merges with what is stored and never erases a known name', () => {
    const stored = new Map<string, ContactState>([
      [
        's1/a',
        {
          sessionId: 's1',
          waId: 'a',
          profileName: 'Ana',
          firstSeenAt: 2,
          lastSeenAt: 4,
          inboundCount: 2,
          lastProviderMessageId: 'm4',
          version: 3,
        },
      ],
    ]);
    expect(mergeContacts(stored, [seen(9, null), seen(1, 'Old name')], keyOf)).toEqual([
      {
        sessionId: 's1',
        waId: 'a',
        profileName: 'Ana',
        firstSeenAt: 1,
        lastSeenAt: 9,
        inboundCount: 4,
        lastProviderMessageId: 'm9',
        version: 4,
      },
    ]);
  });
});
