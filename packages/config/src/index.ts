export { ConfigError, bool, duration, list, loadEnvOrExit, parseEnv, port, positiveInt } from './env.ts';
export { apiKeySettings, clickhouseSettings, kafkaSettings, logSettings } from './common.ts';
