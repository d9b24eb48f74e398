// Run alone, the failures service needs a broker: the settings schema says so, naming the variable.
import { expect, it } from 'vitest';
import { envProblem } from '@wapipe/config';
import { failuresEnv } from './env.ts';

it('refuses settings without KAFKA_BROKERS, naming the variable and what to set', () => {
  const problem = envProblem(failuresEnv, {});
  expect(problem?.variables).toEqual(['KAFKA_BROKERS']);
  expect(problem?.message).toMatch(/KAFKA_BROKERS: required: host:port\[,host:port…\] of the Kafka brokers/);
  expect(envProblem(failuresEnv, { KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092' })).toBeUndefined();
});
