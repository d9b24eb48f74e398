import { describe, expect, it } from 'vitest';
import { contactKey, messageCategory, recipientCountry } from './dimensions.ts';

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

describe('recipientCountry', () => {
  it('reads the country of an E.164 number in any spelling', () => {
    expect(recipientCountry('5511987654321')).toBe('BR');
    expect(recipientCountry('+91 98765 43210')).toBe('IN');
    expect(recipientCountry('442071838750@c.us')).toBe('GB');
    expect(recipientCountry('16505551234')).toBe('US');
    expect(recipientCountry('14165551234')).toBe('CA');
  });

  it('answers "" for what is not a number of any country', () => {
    expect(recipientCountry('US.13491208655302741918')).toBe('');
    expect(recipientCountry('120363025246125486@g.us')).toBe('');
    expect(recipientCountry('999')).toBe('');
    expect(recipientCountry('')).toBe('');
  });
});

describe('messageCategory', () => {
  it('prefers the registered category, then the pricing category', () => {
    expect(messageCategory('utility', 'marketing')).toBe('utility');
    expect(messageCategory(null, 'marketing')).toBe('marketing');
    expect(messageCategory(undefined, null)).toBe('');
  });
});
