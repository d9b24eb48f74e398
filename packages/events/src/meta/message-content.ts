// The two readable fields of an inbound Meta message. Media ids go in `payload` so the replies consumer
// can fetch the media; an order's items go there as JSON.
import type { MetaMessage } from './schema.ts';

/** What a person would read (`text`) and what a program would match on (`payload`), per message type. */
export function readMessageContent(m: MetaMessage): { text: string | null; payload: string | null } {
  switch (m.type) {
    case 'text':
      return { text: m.text?.body ?? null, payload: null };
    case 'image':
    case 'video':
    case 'audio':
    case 'sticker':
      return { text: m[m.type]?.caption ?? null, payload: m[m.type]?.id ?? null };
    case 'document':
      return { text: m.document?.caption ?? m.document?.filename ?? null, payload: m.document?.id ?? null };
    case 'location': {
      const l = m.location;
      const place = [l?.name, l?.address].filter((s): s is string => typeof s === 'string' && s !== '');
      const coords =
        l?.latitude !== undefined && l.longitude !== undefined ? `${l.latitude},${l.longitude}` : null;
      return { text: place.length > 0 ? place.join(', ') : coords, payload: null };
    }
    case 'contacts': {
      const names = (m.contacts ?? []).map((c) => c.name?.formatted_name).filter((s): s is string => !!s);
      return { text: names.length > 0 ? names.join(', ') : null, payload: null };
    }
    case 'button':
      return { text: m.button?.text ?? null, payload: m.button?.payload ?? null };
    case 'interactive':
      return readInteractive(m.interactive);
    case 'reaction':
      // An empty or absent emoji means the user removed their reaction.
      return { text: m.reaction?.emoji || null, payload: null };
    case 'order': {
      const o = m.order;
      const payload = o
        ? JSON.stringify({ catalog_id: o.catalog_id, product_items: o.product_items ?? [] })
        : null;
      return { text: o?.text ?? null, payload };
    }
    case 'system':
      return { text: m.system?.body ?? null, payload: m.system?.type ?? null };
    case 'unsupported':
      return { text: null, payload: m.unsupported?.type ?? null };
    default:
      return { text: null, payload: null };
  }
}

function readInteractive(i: MetaMessage['interactive']): { text: string | null; payload: string | null } {
  if (!i) return { text: null, payload: null };
  const kind =
    i.type ??
    (i.button_reply ? 'button_reply' : i.list_reply ? 'list_reply' : i.nfm_reply ? 'nfm_reply' : '');
  switch (kind) {
    case 'button_reply':
      return { text: i.button_reply?.title ?? null, payload: i.button_reply?.id ?? null };
    case 'list_reply':
      return { text: i.list_reply?.title ?? null, payload: i.list_reply?.id ?? null };
    case 'nfm_reply':
      return {
        text: i.nfm_reply?.body ?? i.nfm_reply?.name ?? null,
        payload: i.nfm_reply?.response_json ?? null,
      };
    default:
      return { text: null, payload: null };
  }
}
