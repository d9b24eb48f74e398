// Contacts per session: the profile name as last reported, and when they were first and last heard from.
// Stored as read + merge + version + 1 (ReplacingMergeTree), from the inbound messages new in a batch.

export interface ContactState {
  sessionId: string;
  waId: string;
  profileName: string;
  firstSeenAt: number;
  lastSeenAt: number;
  inboundCount: number;
  lastProviderMessageId: string;
  version: number;
}

export interface ContactSighting {
  sessionId: string;
  contact: string;
  contactName: string | null;
  at: number;
  providerMessageId: string;
}

const after = (a: { at: number; id: string }, b: { at: number; id: string }) =>
  a.at !== b.at ? a.at > b.at : a.id > b.id;

/** The contacts a batch's new inbound messages change, merged with what was stored. */
export function mergeContacts(
  stored: ReadonlyMap<string, ContactState>,
  sightings: readonly ContactSighting[],
  keyOf: (sessionId: string, contact: string) => string,
): ContactState[] {
  const merged = new Map<string, ContactState>();
  for (const s of sightings) {
    const key = keyOf(s.sessionId, s.contact);
    const base = merged.get(key) ?? stored.get(key);
    const last = { at: s.at, id: s.providerMessageId };
    const isLatest = !base || after(last, { at: base.lastSeenAt, id: base.lastProviderMessageId });
    const name = s.contactName ?? '';
    merged.set(key, {
      sessionId: s.sessionId,
      waId: s.contact,
      // The latest message's name wins; one without a name never erases a known one.
      profileName: name !== '' && (isLatest || !base?.profileName) ? name : (base?.profileName ?? ''),
      firstSeenAt: Math.min(base?.firstSeenAt ?? s.at, s.at),
      lastSeenAt: isLatest ? s.at : (base?.lastSeenAt ?? s.at),
      inboundCount: (base?.inboundCount ?? 0) + 1,
      lastProviderMessageId: isLatest ? s.providerMessageId : (base?.lastProviderMessageId ?? ''),
      version: (stored.get(key)?.version ?? 0) + 1,
    });
  }
  return [...merged.values()];
}
