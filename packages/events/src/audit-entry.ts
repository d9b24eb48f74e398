// An audit entry: one operator action (a `/v1` write, a redrive, a replay), produced to the audit topic by
// whoever performed it and stored by the archive service. The actor is a key's fingerprint, never the key,
// and the detail never holds a secret: producers build it from an allow-list of fields.
import { createHash, randomUUID } from 'node:crypto';
import { z } from 'zod';

export const AUDIT_ACTIONS = ['session.put', 'messages.register', 'redrive', 'replay'] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export const AuditEntry = z.object({
  /** Unique per action, so a re-sent entry is stored once. */
  id: z.string().min(1).max(64),
  at: z.iso.datetime({ offset: true }),
  /** `key:<12 hex>` for an API key, `cli:<user>` for a command run on a host. */
  actor: z.string().min(1).max(128),
  action: z.enum(AUDIT_ACTIONS),
  /** What the action was done to: a session id, a consumer name. */
  target: z.string().max(256),
  detail: z.record(z.string(), z.union([z.string(), z.number(), z.boolean(), z.null()])),
});
export type AuditEntry = z.infer<typeof AuditEntry>;

/** A short, stable name for an API key: enough to tell keys apart, useless to an attacker. */
export function keyFingerprint(key: string): string {
  return `key:${createHash('sha256').update(key).digest('hex').slice(0, 12)}`;
}

/** The fingerprint of the bearer key in an Authorization header, or `anonymous`. */
export function bearerFingerprint(authorization: string | undefined): string {
  const match = /^Bearer\s+(\S+)$/i.exec(authorization ?? '');
  return match ? keyFingerprint(match[1]!) : 'anonymous';
}

export function auditEntry(
  entry: Pick<AuditEntry, 'actor' | 'action' | 'target' | 'detail'> & Partial<AuditEntry>,
): AuditEntry {
  return AuditEntry.parse({ id: randomUUID(), at: new Date().toISOString(), ...entry });
}

/** The audit topic's record for an entry: keyed by target, so one target's entries stay in order. */
export function auditKafkaRecord(entry: AuditEntry): { key: string; value: string } {
  return { key: entry.target || entry.action, value: JSON.stringify(AuditEntry.parse(entry)) };
}
