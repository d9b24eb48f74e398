export { startLocalBroker, formatLocalBrokerDataDir, defaultJvmOptions } from './start-local-broker.ts';
export type { LocalBroker, LocalBrokerOptions, PreparedDataDir } from './start-local-broker.ts';
export { ensureKafkaJars, pinnedKafkaVersion, defaultKafkaCacheDir } from './jars.ts';
export type { KafkaJars, KafkaJarsOptions, ProgressReporter } from './jars.ts';
export { waitForKafkaReady } from './readiness.ts';
export type { ReadinessOptions } from './readiness.ts';
export { findFreePort, isPortInUse } from './ports.ts';
export { LocalBrokerError, localBrokerErrorCodes } from './errors.ts';
export type { LocalBrokerErrorCode } from './errors.ts';
