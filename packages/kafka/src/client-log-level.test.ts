import { logLevel } from 'kafkajs';
import { describe, expect, it } from 'vitest';
import { kafkaLogLevel } from './client.ts';

describe('kafkajs log levels', () => {
  it('keep a failed response that kafkajs retries, and the bounded-retries notice, out of error and warn', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'Response GroupCoordinator(key: 10, version: 2)')).toBe('debug');
    expect(
      kafkaLogLevel(
        logLevel.WARN,
        'Limiting retries for the idempotent producer may invalidate EoS guarantees',
      ),
    ).toBe('debug');
  });

  it('keep a consumer restart while a fresh coordinator loads out of error and warn', () => {
    expect(
      kafkaLogLevel(
        logLevel.ERROR,
        "Crash: KafkaJSProtocolError: The coordinator is loading and hence can't process requests for this group",
      ),
    ).toBe('info');
    expect(kafkaLogLevel(logLevel.ERROR, 'Restarting the consumer in 200ms')).toBe('info');
  });

  it('keep everything else at its level', () => {
    expect(kafkaLogLevel(logLevel.ERROR, 'Crash: KafkaJSNumberOfRetriesExceeded')).toBe('error');
    expect(kafkaLogLevel(logLevel.WARN, 'Connection timeout')).toBe('warn');
  });
});
