import { describe, expect, test } from 'vitest';
import { diagnoseBrokerLog } from './broker-log.ts';

// The lines below are what Kafka 4.1.1 wrote in these situations.
describe('diagnoseBrokerLog', () => {
  test('names a port held by another process', () => {
    const log =
      'org.apache.kafka.common.KafkaException: Socket server failed to bind to 127.0.0.1:19092: Address already in use.';
    expect(diagnoseBrokerLog(log)?.code).toBe('LOCAL_BROKER_PORT_IN_USE');
  });

  test('names a Java too old for the broker', () => {
    const log =
      'Exception in thread "main" java.lang.UnsupportedClassVersionError: kafka/Kafka has been compiled';
    expect(diagnoseBrokerLog(log)?.code).toBe('LOCAL_BROKER_JAVA_MISSING');
  });

  test('names nothing it does not recognise', () => {
    expect(diagnoseBrokerLog('[2026-01-01] INFO Kafka Server started')).toBeUndefined();
  });
});
