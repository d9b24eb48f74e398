import { z } from 'zod';
import { apiKeySettings, clickhouseSettings, kafkaSettings, logSettings, port } from '@wapipe/config';

export const apiEnv = z.object({
  PORT: port(8080),
  ...clickhouseSettings,
  ...kafkaSettings,
  ...apiKeySettings,
  ...logSettings,
});
export type ApiEnv = z.infer<typeof apiEnv>;
