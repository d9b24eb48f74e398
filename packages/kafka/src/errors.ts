// The Kafka package turns every kafkajs failure into one of these codes, so callers decide on `retry` alone.
import { CodedError } from '@wapipe/errors';

export { errorMessage, isRetryable } from '@wapipe/errors';
export const kafkaErrorCodes = [
  'KAFKA_UNREACHABLE',
  'KAFKA_TIMEOUT',
  'KAFKA_PRODUCE_FAILED',
  'KAFKA_TOPIC_SETUP_FAILED',
  'KAFKA_COMMIT_FAILED',
  'KAFKA_CLAIM_REFUSED',
  'KAFKA_CLOSED',
  'KAFKA_CONFIG_INVALID',
] as const;
export type KafkaErrorCode = (typeof kafkaErrorCodes)[number];

export class KafkaError extends CodedError<KafkaErrorCode> {
  override readonly name = 'KafkaError';
}

/** The group coordinator refused a member's claim (ADR 15): the member is out of its generation. */
export function isClaimRefused(error: unknown): error is KafkaError {
  return error instanceof KafkaError && error.code === 'KAFKA_CLAIM_REFUSED';
}
