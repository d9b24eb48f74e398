import { consumerEnv } from '@wapipe/pipeline';
import type { z } from 'zod';

export const deliveryEnv = consumerEnv;
export type DeliveryEnv = z.infer<typeof deliveryEnv>;
