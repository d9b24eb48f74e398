// A message's status from its timeline: the highest of sent < delivered < read < played it reached;
// `failed` when it failed and never reached delivered (a delivered can follow a failed with several
// devices); `pending` when nothing was reported yet. Computed from the set of statuses reached, so the
// order the provider sent them in never matters. The one rule: the api serves it, delivery stores it.
import { DELIVERY_STATUSES } from './types.ts';
import type { DeliveryStatusValue } from './types.ts';

export const MESSAGE_STATUSES = ['pending', ...DELIVERY_STATUSES] as const;
export type MessageStatus = (typeof MESSAGE_STATUSES)[number];

/** The status given whether each delivery status was reached (no allocation: delivery's hot path). */
export function messageStatusFrom(reached: (status: DeliveryStatusValue) => boolean): MessageStatus {
  if (reached('played')) return 'played';
  if (reached('read')) return 'read';
  if (reached('delivered')) return 'delivered';
  if (reached('failed')) return 'failed';
  if (reached('sent')) return 'sent';
  return 'pending';
}

/** The status of a timeline, from its statuses in any order (unknown ones ignored). */
export function messageStatus(reached: Iterable<string>): MessageStatus {
  const set = new Set<string>(reached);
  return messageStatusFrom((status) => set.has(status));
}
