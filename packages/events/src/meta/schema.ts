// zod schemas for Meta's WhatsApp Cloud API webhook body (object "whatsapp_business_account").
//
// Two kinds of field:
// - identity fields (ids, status, type, timestamps, error codes) are strict: a body without them is not
//   Meta's shape, and the ingress answers 400 (see validateMetaBody, which checks exactly these).
// - content fields are best-effort: `content(...)` reads a missing or wrong-typed value as absent, so a
//   change Meta makes to a caption never costs us the event.
// Every object is loose: unknown fields pass through untouched.
import { z } from 'zod';
import { DELIVERY_STATUSES } from '../types.ts';

const content = <T extends z.ZodType>(schema: T) => schema.optional().catch(undefined);
const text = z.string();
const numberOrString = z.union([z.number(), z.string()]);

/** Documented delivery statuses (the ones stored); any other status string becomes an `unknown` event, not a rejection. */
export const META_STATUSES = DELIVERY_STATUSES;

/** Inbound message types this version reads; others become `unknown` events. */
export const META_MESSAGE_TYPES = [
  'text',
  'image',
  'audio',
  'video',
  'document',
  'sticker',
  'location',
  'contacts',
  'button',
  'interactive',
  'reaction',
  'order',
  'system',
  'request_welcome',
  'unsupported',
  // Older name Meta used for what is now `unsupported`.
  'unknown',
] as const;

export const MetaError = z.looseObject({
  code: numberOrString,
  title: content(text),
  message: content(text),
  error_data: content(z.looseObject({ details: content(text) })),
  href: content(text),
});
export type MetaError = z.infer<typeof MetaError>;

export const MetaConversation = z.looseObject({
  id: content(text),
  expiration_timestamp: content(numberOrString),
  origin: content(z.looseObject({ type: content(text) })),
});

export const MetaPricing = z.looseObject({
  billable: content(z.boolean()),
  pricing_model: content(text),
  category: content(text),
  type: content(text),
});

export const MetaStatus = z.looseObject({
  id: z.string().min(1),
  status: z.string(),
  timestamp: numberOrString,
  recipient_id: content(text),
  /** Business-scoped user id, present when the message was sent to one (recipient_id may then be absent). */
  recipient_user_id: content(text),
  parent_recipient_user_id: content(text),
  recipient_type: content(text),
  recipient_participant_id: content(text),
  recipient_participant_user_id: content(text),
  biz_opaque_callback_data: content(text),
  conversation: content(MetaConversation),
  pricing: content(MetaPricing),
  errors: z.array(MetaError).optional(),
});
export type MetaStatus = z.infer<typeof MetaStatus>;

const MetaMedia = z.looseObject({
  id: content(text),
  mime_type: content(text),
  sha256: content(text),
  url: content(text),
  caption: content(text),
  filename: content(text),
  voice: content(z.boolean()),
  animated: content(z.boolean()),
});

const MetaSharedContact = z.looseObject({
  name: content(
    z.looseObject({ formatted_name: content(text), first_name: content(text), last_name: content(text) }),
  ),
  phones: content(
    z.array(z.looseObject({ phone: content(text), wa_id: content(text), type: content(text) })),
  ),
  vcard: content(text),
});

export const MetaMessageContext = z.looseObject({
  from: content(text),
  id: content(text),
  forwarded: content(z.boolean()),
  frequently_forwarded: content(z.boolean()),
  referred_product: content(z.looseObject({ catalog_id: content(text), product_retailer_id: content(text) })),
});

export const MetaMessage = z.looseObject({
  id: z.string().min(1),
  type: z.string(),
  timestamp: numberOrString,
  /** The sender's phone number; absent when only a business-scoped user id can be shared. */
  from: content(text),
  from_user_id: content(text),
  group_id: content(text),
  context: content(MetaMessageContext),
  errors: z.array(MetaError).optional(),
  text: content(z.looseObject({ body: content(text) })),
  image: content(MetaMedia),
  audio: content(MetaMedia),
  video: content(MetaMedia),
  document: content(MetaMedia),
  sticker: content(MetaMedia),
  location: content(
    z.looseObject({
      latitude: content(numberOrString),
      longitude: content(numberOrString),
      name: content(text),
      address: content(text),
      url: content(text),
    }),
  ),
  contacts: content(z.array(MetaSharedContact)),
  button: content(z.looseObject({ text: content(text), payload: content(text) })),
  interactive: content(
    z.looseObject({
      type: content(text),
      button_reply: content(z.looseObject({ id: content(text), title: content(text) })),
      list_reply: content(
        z.looseObject({ id: content(text), title: content(text), description: content(text) }),
      ),
      nfm_reply: content(
        z.looseObject({ name: content(text), body: content(text), response_json: content(text) }),
      ),
    }),
  ),
  reaction: content(z.looseObject({ message_id: content(text), emoji: content(text) })),
  order: content(
    z.looseObject({
      catalog_id: content(text),
      text: content(text),
      product_items: content(
        z.array(
          z.looseObject({
            product_retailer_id: content(text),
            quantity: content(numberOrString),
            item_price: content(numberOrString),
            currency: content(text),
          }),
        ),
      ),
    }),
  ),
  system: content(
    z.looseObject({
      body: content(text),
      type: content(text),
      wa_id: content(text),
      user_id: content(text),
      customer: content(text),
    }),
  ),
  unsupported: content(z.looseObject({ type: content(text) })),
  referral: content(
    z.looseObject({
      source_url: content(text),
      source_id: content(text),
      source_type: content(text),
      headline: content(text),
      body: content(text),
      ctwa_clid: content(text),
    }),
  ),
});
export type MetaMessage = z.infer<typeof MetaMessage>;

/** An entry of `value.contacts`: the profile of the WhatsApp user a message came from. */
export const MetaContact = z.looseObject({
  wa_id: content(text),
  user_id: content(text),
  profile: content(z.looseObject({ name: content(text), username: content(text) })),
});
export type MetaContact = z.infer<typeof MetaContact>;

/** Keys of a `messages` change value that this version reads; other array-valued keys are unknown items. */
export const META_VALUE_KNOWN_KEYS = [
  'messaging_product',
  'metadata',
  'contacts',
  'statuses',
  'messages',
  'errors',
];

export const MetaMessagesValue = z.looseObject({
  messaging_product: content(text),
  metadata: content(z.looseObject({ display_phone_number: content(text), phone_number_id: content(text) })),
  contacts: content(z.array(MetaContact)),
  statuses: z.array(MetaStatus).optional(),
  messages: z.array(MetaMessage).optional(),
  /** Errors about the change as a whole, not about one message. */
  errors: z.array(MetaError).optional(),
});
export type MetaMessagesValue = z.infer<typeof MetaMessagesValue>;

/** The one change field this version reads; other fields (calls, account_update, …) are unknown items. */
export const META_MESSAGES_FIELD = 'messages';

export const MetaChange = z
  .looseObject({ field: z.string(), value: z.unknown().optional() })
  .superRefine((change, ctx) => {
    if (change.field !== META_MESSAGES_FIELD) return;
    const parsed = MetaMessagesValue.safeParse(change.value);
    if (parsed.success) return;
    for (const issue of parsed.error.issues) {
      ctx.addIssue({ code: 'custom', path: ['value', ...issue.path], message: issue.message });
    }
  });
export type MetaChange = z.infer<typeof MetaChange>;

export const MetaEntry = z.looseObject({ id: z.string(), changes: z.array(MetaChange) });

export const MetaWebhookBody = z.looseObject({
  object: z.literal('whatsapp_business_account'),
  entry: z.array(MetaEntry),
});
export type MetaWebhookBody = z.infer<typeof MetaWebhookBody>;
