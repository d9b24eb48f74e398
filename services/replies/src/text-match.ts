// Text comparison for keywords: what a person typed is compared case- and accent-folded, so "Stop",
// "STOP!" and "stöp" are the same word, while "please stop" is not the whole text "stop".

/** Unicode-normalized, accents removed, lower case, inner whitespace collapsed, trimmed. */
export function foldText(text: string): string {
  return text
    .normalize('NFKD')
    .replace(/\p{M}+/gu, '')
    .toLowerCase()
    .replace(/\s+/gu, ' ')
    .trim();
}

/** The folded text without punctuation, symbols or emoji around it: "  STOP! 🛑 " → "stop". */
export function wholeTextKey(text: string): string {
  return foldText(text).replace(/^[\p{P}\p{S}\s]+|[\p{P}\p{S}\s]+$/gu, '');
}

/** The folded words (runs of letters and digits) of a text. */
export function foldedWords(text: string): string[] {
  return foldText(text).match(/[\p{L}\p{N}]+/gu) ?? [];
}

/** True when the words of `phrase` appear consecutively, as whole words, in `words`. */
export function containsPhrase(words: readonly string[], phrase: readonly string[]): boolean {
  if (phrase.length === 0 || phrase.length > words.length) return false;
  for (let i = 0; i + phrase.length <= words.length; i++) {
    if (phrase.every((word, j) => words[i + j] === word)) return true;
  }
  return false;
}
