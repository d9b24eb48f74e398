// The all-in-one alone may run without KAFKA_BROKERS: it then starts the local broker.
import { expect, it } from 'vitest';
import { envProblem, parseEnv } from '@wapipe/config';
import { allInOneEnv } from './env.ts';

it('accepts settings without KAFKA_BROKERS, and checks them when set', () => {
  expect(parseEnv(allInOneEnv, {}).KAFKA_BROKERS).toBeUndefined();
  expect(envProblem(allInOneEnv, { KAFKA_BROKERS: 'no-port' })?.variables).toEqual(['KAFKA_BROKERS']);
});

it('refuses CONSUMER_GROUP (one group for four consumers), pointing to CONSUMER_GROUPS', () => {
  const problem = envProblem(allInOneEnv, { CONSUMER_GROUP: 'acme' });
  expect(problem?.variables).toEqual(['CONSUMER_GROUP']);
  expect(problem?.message).toContain('CONSUMER_GROUPS');
  expect(parseEnv(allInOneEnv, { CONSUMER_GROUPS: 'delivery=acme.delivery' }).CONSUMER_GROUPS).toEqual({
    delivery: 'acme.delivery',
  });
});
