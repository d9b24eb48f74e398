// Opt-out keywords. A reply whose whole text (or button payload) is an opt-out word opts the contact out
// until a reply that is an opt-in word clears it. Only a change of state is a command: a second STOP while
// opted out, or a START from a contact who never opted out, changes nothing.
import { wholeTextKey } from './text-match.ts';

export const OPT_ACTIONS = ['opt_out', 'opt_in'] as const;
export type OptAction = (typeof OPT_ACTIONS)[number];

/** Always opt-out words, whatever OPT_OUT_KEYWORDS says. */
export const REQUIRED_OPT_OUT_KEYWORDS = ['STOP', 'UNSUBSCRIBE'];
/** Default OPT_OUT_KEYWORDS: the required ones plus common words in other languages. */
export const DEFAULT_OPT_OUT_KEYWORDS = [
  ...REQUIRED_OPT_OUT_KEYWORDS,
  'STOPP', // de, nl, sv, no, da
  'ARRÊT', // fr (accents are folded, so ARRET matches too)
  'BAJA', // es
  'PARAR', // es, pt
  'SAIR', // pt
  'ABMELDEN', // de
  'DISISCRIVITI', // it
];
/** Always opt-in words. */
export const REQUIRED_OPT_IN_KEYWORDS = ['START'];
export const DEFAULT_OPT_IN_KEYWORDS = [...REQUIRED_OPT_IN_KEYWORDS, 'UNSTOP'];

export interface KeywordConfig {
  optOut: ReadonlySet<string>;
  optIn: ReadonlySet<string>;
}

/** Folds the configured words; throws naming a word that is in both lists. */
export function keywordConfig(optOut: readonly string[], optIn: readonly string[]): KeywordConfig {
  const fold = (words: readonly string[]) => new Set(words.map(wholeTextKey).filter((w) => w !== ''));
  const config = {
    optOut: fold([...REQUIRED_OPT_OUT_KEYWORDS, ...optOut]),
    optIn: fold([...REQUIRED_OPT_IN_KEYWORDS, ...optIn]),
  };
  const both = [...config.optOut].filter((w) => config.optIn.has(w));
  if (both.length > 0) throw new Error(`"${both.join('", "')}" is both an opt-out and an opt-in keyword`);
  return config;
}

export interface KeywordCommand {
  action: OptAction;
  /** The folded word that matched. */
  keyword: string;
}

/** The opt-out / opt-in command a reply's whole text, or else its payload, spells; null for none. */
export function keywordCommand(
  content: { text: string | null; payload: string | null },
  config: KeywordConfig,
): KeywordCommand | null {
  for (const value of [content.text, content.payload]) {
    if (value === null) continue;
    const key = wholeTextKey(value);
    if (config.optOut.has(key)) return { action: 'opt_out', keyword: key };
    if (config.optIn.has(key)) return { action: 'opt_in', keyword: key };
  }
  return null;
}

/** A contact's current opt state: the last change, ordered by (at, providerMessageId). */
export interface OptState {
  action: OptAction;
  at: number;
  providerMessageId: string;
  seq: number;
}

export interface OptCandidate {
  /** session + contact */
  contactId: string;
  at: number;
  providerMessageId: string;
  command: KeywordCommand;
}

const later = (a: { at: number; providerMessageId: string }, b: { at: number; providerMessageId: string }) =>
  a.at !== b.at ? a.at > b.at : a.providerMessageId > b.providerMessageId;

/**
 * The changes a batch's keyword replies make, given each contact's stored state. Replies are applied in
 * time order; one older than the contact's last change is old news and changes nothing, so the state is
 * the same whatever order the replies were processed in.
 */
export function decideOptChanges<T extends OptCandidate>(
  candidates: readonly T[],
  stored: ReadonlyMap<string, OptState>,
): (T & { seq: number })[] {
  const state = new Map(stored);
  const changes: (T & { seq: number })[] = [];
  const ordered = [...candidates].sort((a, b) =>
    later(a, b) ? 1 : later(b, a) ? -1 : a.contactId < b.contactId ? -1 : a.contactId > b.contactId ? 1 : 0,
  );
  for (const candidate of ordered) {
    const current = state.get(candidate.contactId);
    if (current && !later(candidate, current)) continue;
    const optedOut = current?.action === 'opt_out';
    if (candidate.command.action === 'opt_out' ? optedOut : !optedOut) continue;
    const seq = (current?.seq ?? 0) + 1;
    state.set(candidate.contactId, {
      action: candidate.command.action,
      at: candidate.at,
      providerMessageId: candidate.providerMessageId,
      seq,
    });
    changes.push({ ...candidate, seq });
  }
  return changes;
}
