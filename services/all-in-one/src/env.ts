// The all-in-one reads every service's settings (one process, one port) plus where its local broker lives.
import { z } from 'zod';
import { apiEnv } from '@wapipe/api';
import { archiveEnv } from '@wapipe/archive';
import { deliveryEnv } from '@wapipe/delivery';
import { failuresEnv } from '@wapipe/failures';
import { ingressEnv } from '@wapipe/ingress';
import { repliesEnv } from '@wapipe/replies';
import { localBrokerSettings, port } from '@wapipe/config';

export const allInOneEnv = ingressEnv
  .extend(deliveryEnv.shape)
  .extend(repliesEnv.shape)
  .extend(failuresEnv.shape)
  .extend(archiveEnv.shape)
  .extend(apiEnv.shape)
  .extend({
    ...localBrokerSettings,
    /** Port of the local broker started when KAFKA_BROKERS is unset (its controller uses the next one). */
    KAFKA_LOCAL_PORT: port(9092),
    /** Data directory of the local broker. */
    KAFKA_DATA_DIR: z.string().default('.data/kafka'),
    /**
     * Where the all-in-one keeps the key it made when SESSIONS_ENCRYPTION_KEY is unset; by default
     * next to the broker's data (`.data/sessions-encryption.key`), since the sessions live there.
     */
    SESSIONS_ENCRYPTION_KEY_FILE: z.string().optional(),
    /** One group for all four consumers would give each only some partitions: CONSUMER_GROUPS names each. */
    CONSUMER_GROUP: z
      .string()
      .optional()
      .refine((value) => value === undefined, {
        message:
          'the all-in-one runs four consumers, and one group would give each only some of the partitions; name each group in CONSUMER_GROUPS instead (e.g. delivery=acme.delivery,replies=acme.replies)',
      }),
  });
export type AllInOneEnv = z.infer<typeof allInOneEnv>;
