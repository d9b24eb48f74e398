// A message's status from its timeline: the highest of sent < delivered < read < played it reached;
// `failed` when it failed and never reached delivered (a delivered can follow a failed with several
// devices); `pending` when nothing was reported yet. Computed from the set of statuses reached, so the
// order the provider sent them in never matters.

export const deliveryStatuses = ['sent', 'delivered', 'read', 'played', 'failed'] as const;
export type DeliveryStatus = (typeof deliveryStatuses)[number];
export const messageStatuses = ['pending', ...deliveryStatuses] as const;
export type MessageStatus = (typeof messageStatuses)[number];

const RANK: Record<Exclude<DeliveryStatus, 'failed'>, number> = { sent: 1, delivered: 2, read: 3, played: 4 };

export function messageStatus(reached: Iterable<string>): MessageStatus {
  let top: Exclude<DeliveryStatus, 'failed'> | undefined;
  let failed = false;
  for (const status of reached) {
    if (status === 'failed') failed = true;
    else if (status in RANK) {
      const s = status as keyof typeof RANK;
      if (top === undefined || RANK[s] > RANK[top]) top = s;
    }
  }
  if (top !== undefined && RANK[top] >= RANK.delivered) return top;
  if (failed) return 'failed';
  return top ?? 'pending';
}
