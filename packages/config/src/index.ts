export {
  ConfigError,
  bool,
  duration,
  list,
  loadEnvOrExit,
  envProblem,
  parseEnv,
  port,
  positiveInt,
  urlWithoutCredentials,
} from './env.ts';
export {
  MIN_API_KEY_CHARS,
  READ_ONLY_KEY_PREFIX,
  apiKeySettings,
  clickhouseSettings,
  httpServerSettings,
  kafkaSecuritySettings,
  kafkaSettings,
  localBrokerSettings,
  logSettings,
} from './common.ts';
export { HelpRequested, UsageError, parseCommandLine, runCommand } from './command-line.ts';
