import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { HttpError } from '@wapipe/http';
import { messageRef } from '../params.ts';
import { readMessage } from '../queries/message.ts';
import { MessageView } from '../responses.ts';
import { defineRoute } from '../route.ts';

/** The message known under the operator's or the provider's id, or a 404 that says so. */
export async function knownMessage(ch: ClickHouse, id: string) {
  const message = await readMessage(ch, id);
  if (!message) throw new HttpError(404, 'not_found', 'no message is known under this id');
  return message;
}

export function messageRoutes(ch: ClickHouse) {
  return [
    defineRoute({
      path: '/v1/messages/{id}',
      operationId: 'getMessage',
      label: 'message',
      summary: 'One outbound message: status, timeline, failure and replies',
      description: '`id` is the operator’s message id or the provider message id.',
      pathParams: z.object({ id: messageRef }),
      query: z.object({}),
      response: MessageView,
      errors: [400, 404],
      handle: ({ path }) => knownMessage(ch, path.id),
    }),
  ];
}
