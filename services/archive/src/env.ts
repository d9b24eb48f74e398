// The archive service's settings: the consumer's own, plus how long raw requests are kept.
import type { z } from 'zod';
import { duration } from '@wapipe/config';
import { consumerEnv } from '@wapipe/pipeline';

export const archiveEnv = consumerEnv.extend({
  /** How long every accepted raw request is kept (and served); longer than the raw topic's retention. */
  RAW_RETENTION: duration('90d'),
});
export type ArchiveEnv = z.infer<typeof archiveEnv>;
