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
