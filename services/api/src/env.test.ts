// Run alone, the api service needs a broker: the settings schema says so, naming the variable.
import { expect, it } from 'vitest';
import { envProblem } from '@wapipe/config';
import { apiEnv } from './env.ts';

it('refuses settings without KAFKA_BROKERS, naming the variable and what to set', () => {
  const problem = envProblem(apiEnv, {});
  expect(problem?.variables).toEqual(['KAFKA_BROKERS']);
  expect(problem?.message).toMatch(/KAFKA_BROKERS: required: host:port\[,host:port…\] of the Kafka brokers/);
  expect(envProblem(apiEnv, { KAFKA_BROKERS: 'kafka-1:9092,kafka-2:9092' })).toBeUndefined();
});

it('reads the consumer groups named in CONSUMER_GROUPS and refuses a pair it cannot use, naming it', () => {
  const base = { KAFKA_BROKERS: 'kafka-1:9092' };
  expect(apiEnv.parse(base).CONSUMER_GROUPS).toEqual({});
  expect(
    apiEnv.parse({ ...base, CONSUMER_GROUPS: 'delivery=acme.delivery, failures = acme.failures=v2' })
      .CONSUMER_GROUPS,
  ).toEqual({ delivery: 'acme.delivery', failures: 'acme.failures=v2' });
  for (const bad of ['delivery', 'deliveries=acme', 'replies=', 'replies=a,replies=b']) {
    const problem = envProblem(apiEnv, { ...base, CONSUMER_GROUPS: bad });
    expect(problem?.variables, bad).toEqual(['CONSUMER_GROUPS']);
    expect(problem?.message).toMatch(
      /expected name=group pairs.*one of delivery, replies, failures, archive/,
    );
  }
});
