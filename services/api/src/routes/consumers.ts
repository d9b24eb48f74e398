// GET /v1/consumers: each consumer's lag and dead letters with the redrive command to run (the console's
// Consumers page). The api reads them from Kafka; an app built without Kafka (tests of the read routes)
// answers 503 saying so.
import { z } from 'zod';
import { HttpError } from '@wapipe/http';
import { consumerNames, isRetryable } from '@wapipe/kafka';
import type { ConsumerStateReader } from '../consumer-lag.ts';
import { defineRoute } from '../route.ts';

const count = z.number().int().nonnegative();

export const ConsumersView = z.object({
  checkedAt: z.string().meta({ format: 'date-time' }),
  consumers: z.array(
    z.object({
      name: z.enum(consumerNames),
      group: z.string().meta({
        description:
          'Its consumer group: as named in the api’s CONSUMER_GROUPS, else `<TOPIC_PREFIX>.<name>`.',
      }),
      lag: count.meta({ description: 'Raw-topic records the group has not committed yet.' }),
      deadLetterTopic: z.string(),
      deadLetters: count.meta({ description: 'Dead letters ever written to its dead-letter topic.' }),
      deadLettersWaiting: count.meta({ description: 'Dead letters not yet copied back by redrive.' }),
      redriveCommand: z.string().meta({ example: 'wapipe redrive delivery' }),
      listCommand: z.string().meta({ example: 'wapipe redrive delivery --list' }),
    }),
  ),
});

export function consumerRoutes(read: ConsumerStateReader | undefined) {
  return [
    defineRoute({
      path: '/v1/consumers',
      operationId: 'listConsumers',
      label: 'consumers',
      summary: 'Each consumer’s lag in the raw topic and its dead letters, with the redrive command',
      pathParams: z.object({}),
      query: z.object({}),
      response: ConsumersView,
      errors: [],
      async handle() {
        if (!read) throw new HttpError(503, 'unavailable', 'this api was started without Kafka', 5);
        try {
          return await read();
        } catch (error) {
          if (!isRetryable(error)) throw error;
          throw new HttpError(503, 'unavailable', 'Kafka does not answer; retry later', 5);
        }
      },
    }),
  ];
}
