// Why the local broker could not be fetched, started or stopped: one code per thing the user can act on.
import { CodedError } from '@wapipe/errors';

export const localBrokerErrorCodes = [
  'LOCAL_BROKER_JAVA_MISSING',
  'LOCAL_BROKER_MAVEN_MISSING',
  'LOCAL_BROKER_FETCH_FAILED',
  'LOCAL_BROKER_PORT_IN_USE',
  'LOCAL_BROKER_DATA_DIR_IN_USE',
  'LOCAL_BROKER_FORMAT_FAILED',
  'LOCAL_BROKER_EXITED',
  'LOCAL_BROKER_START_TIMEOUT',
] as const;
export type LocalBrokerErrorCode = (typeof localBrokerErrorCodes)[number];

export class LocalBrokerError extends CodedError<LocalBrokerErrorCode> {
  override readonly name = 'LocalBrokerError';
}
