// A message's cohort time, in one place for every consumer that buckets messages by it (the delivery
// cohorts, the replies' replied counts), so the same message lands in the same bucket in both (CONTRACT:
// "its registered sentAt, else its earliest status, and it moves if a registration arrives after its
// statuses"). A message with neither, e.g. registered without sentAt and no status yet, is in no cohort.

/** The registered sentAt, else the earliest status time; null while the message has neither. */
export function cohortTime<T extends string | number>(
  registeredSentAt: T | null | undefined,
  earliestStatusAt: T | null | undefined,
): T | null {
  return registeredSentAt ?? earliestStatusAt ?? null;
}

/** The UTC minute of a cohort time (ISO or epoch ms), as ClickHouse's DateTime text `YYYY-MM-DD HH:MM:00`. */
export function cohortMinute(at: string | number): string {
  return new Date(at).toISOString().slice(0, 16).replace('T', ' ') + ':00';
}

/** The pricing category a message's statuses report, kept for the category dimension when none was registered. */
export interface ReportedPricing {
  category: string;
  /** Epoch ms of the status that reported it. */
  at: number;
}

/**
 * The pricing category of the message's earliest status that carries one (a tie: the smaller category), so
 * any order of arrival agrees. Returns `current` when the status does not change it.
 */
export function earlierPricing(
  current: ReportedPricing | null,
  status: { pricingCategory: string | null; occurredAt: string },
): ReportedPricing | null {
  if (!status.pricingCategory) return current;
  const at = Date.parse(status.occurredAt);
  if (current && (current.at < at || (current.at === at && current.category <= status.pricingCategory)))
    return current;
  return { category: status.pricingCategory, at };
}
