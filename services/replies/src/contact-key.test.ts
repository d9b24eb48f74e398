import { describe, expect, it } from 'vitest';
import { contactKey } from './contact-key.ts';

describe('contactKey', () => {
  it('reduces every spelling of a phone number to its digits', () => {
    for (const id of [
      '16505551234',
      '+16505551234',
      '+1 650-555-1234',
      '+1 (650) 555 1234',
      '16505551234@c.us',
    ]) {
      expect(contactKey(id)).toBe('16505551234');
    }
  });

  it('keeps business-scoped user ids and group ids as they are', () => {
    expect(contactKey('US.13491208655302741918')).toBe('US.13491208655302741918');
    expect(contactKey('120363025246125486@g.us')).toBe('120363025246125486@g.us');
  });
});
