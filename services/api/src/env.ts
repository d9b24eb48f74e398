import { z } from 'zod';
import { apiKeySettings, clickhouseSettings, kafkaSettings, logSettings, port } from '@wapipe/config';
import { consumerNames } from '@wapipe/kafka';
import type { ConsumerName } from '@wapipe/kafka';

const isConsumerName = (name: string): name is ConsumerName =>
  (consumerNames as readonly string[]).includes(name);

/**
 * `name=group,…`: the group of each consumer run with its own CONSUMER_GROUP, so GET /v1/consumers reads
 * that group's lag; a consumer not named uses `<TOPIC_PREFIX>.<name>`.
 */
export const consumerGroups = z
  .string()
  .optional()
  .transform((value, ctx) => {
    const groups: Partial<Record<ConsumerName, string>> = {};
    for (const pair of (value ?? '').split(',')) {
      if (pair.trim() === '') continue;
      const at = pair.indexOf('=');
      const name = pair.slice(0, Math.max(at, 0)).trim();
      const group = pair.slice(at + 1).trim();
      if (at < 0 || !isConsumerName(name) || group === '' || groups[name] !== undefined) {
        ctx.addIssue({
          code: 'custom',
          message: `"${pair.trim()}": expected name=group pairs separated by commas, each name once, one of ${consumerNames.join(', ')}`,
        });
        return z.NEVER;
      }
      groups[name] = group;
    }
    return groups;
  });

export const apiEnv = z.object({
  PORT: port(8080),
  ...clickhouseSettings,
  ...kafkaSettings,
  ...apiKeySettings,
  ...logSettings,
  CONSUMER_GROUPS: consumerGroups,
});
export type ApiEnv = z.infer<typeof apiEnv>;
