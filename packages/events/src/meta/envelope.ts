/**
 * Meta's webhook envelope around one `messages` change: what a WhatsApp Business Account delivers for
 * statuses, inbound messages and errors. For tests, benchmarks and examples that build bodies; the
 * default ids are those of Meta's documented samples.
 */
export function metaEnvelope(
  value: { statuses?: unknown[]; messages?: unknown[]; contacts?: unknown[]; errors?: unknown[] },
  account: { businessAccountId?: string; displayPhoneNumber?: string; phoneNumberId?: string } = {},
): Record<string, unknown> {
  return {
    object: 'whatsapp_business_account',
    entry: [
      {
        id: account.businessAccountId ?? '102290129340398',
        changes: [
          {
            field: 'messages',
            value: {
              messaging_product: 'whatsapp',
              metadata: {
                display_phone_number: account.displayPhoneNumber ?? '15550783881',
                phone_number_id: account.phoneNumberId ?? '106540352242922',
              },
              ...value,
            },
          },
        ],
      },
    ],
  };
}
