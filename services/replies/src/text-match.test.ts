import { describe, expect, it } from 'vitest';
import { containsPhrase, foldText, foldedWords, wholeTextKey } from './text-match.ts';

describe('text matching', () => {
  it('folds case, accents and whitespace', () => {
    expect(foldText('  ARRÊT   Tout ')).toBe('arret tout');
    expect(foldText('Ｓｔｏｐ')).toBe('stop');
  });

  it('takes the whole text without punctuation, symbols or emoji around it', () => {
    expect(wholeTextKey('  STOP! 🛑 ')).toBe('stop');
    expect(wholeTextKey('"Unsubscribe."')).toBe('unsubscribe');
    expect(wholeTextKey('please stop')).toBe('please stop');
  });

  it('finds a phrase only as whole consecutive words', () => {
    const words = foldedWords('Hi, I want to TALK to an agent about my invoice!');
    expect(containsPhrase(words, ['invoice'])).toBe(true);
    expect(containsPhrase(words, ['an', 'agent'])).toBe(true);
    expect(containsPhrase(words, ['agent', 'an'])).toBe(false);
    expect(containsPhrase(words, ['invo'])).toBe(false);
    expect(containsPhrase(words, [])).toBe(false);
  });
});
