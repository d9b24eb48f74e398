// A message's analytics dimensions, derived in one place so that every consumer that groups by them (the
// delivery cohorts, the replies' replied counts) puts the same message under the same keys. An unknown
// value is "" everywhere: the contract's "unknown", and a key that sorts first.
import { parsePhoneNumberFromString } from 'libphonenumber-js';

// One key per contact, whatever spelling a source used: Meta writes wa_ids as digits ("16505551234"), an
// operator may register "+1 650-555-1234", a ChatSend session may say "16505551234@c.us". Phone numbers
// are reduced to their digits; anything else (business-scoped user ids, group ids) is kept as it is.
const PHONE = /^\+?[\d\s().-]+(@(c\.us|s\.whatsapp\.net))?$/;

export function contactKey(id: string): string {
  const trimmed = id.trim();
  if (!PHONE.test(trimmed)) return trimmed;
  const digits = trimmed.replace(/@.*$/, '').replace(/\D/g, '');
  return digits === '' ? trimmed : digits;
}

// Parsing is the costly part and a session sends to the same numbers again and again.
const countries = new Map<string, string>();
const COUNTRY_CACHE_LIMIT = 100_000;

/**
 * ISO 3166-1 alpha-2 of the recipient's number read as E.164 (digits-only numbers, Meta's spelling, take a
 * leading "+"), or "" when it is not a phone number or no country owns it.
 */
export function recipientCountry(recipient: string): string {
  const key = contactKey(recipient);
  const cached = countries.get(key);
  if (cached !== undefined) return cached;
  const country = /^\d{6,15}$/.test(key) ? (parsePhoneNumberFromString(`+${key}`)?.country ?? '') : '';
  if (countries.size >= COUNTRY_CACHE_LIMIT) countries.clear();
  countries.set(key, country);
  return country;
}

/** The registered category wins; else the pricing category the provider reported on a status; else "". */
export function messageCategory(
  registered: string | null | undefined,
  pricing: string | null | undefined,
): string {
  return registered || pricing || '';
}

export const DIMENSIONS = ['session', 'campaign', 'category', 'country', 'template'] as const;
export type Dimension = (typeof DIMENSIONS)[number];
