export { ConfigError, bool, list, loadEnvOrExit, parseEnv, port, positiveInt } from './env.ts';
export { apiKeySettings, clickhouseSettings, kafkaSettings, logSettings } from './common.ts';
export { HelpRequested, UsageError, parseCommandLine, runCommand } from './command-line.ts';
