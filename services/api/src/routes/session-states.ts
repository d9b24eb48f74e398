// GET /v1/session-states: the latest state every session reported, for the console's health column.
import { z } from 'zod';
import type { ClickHouse } from '@wapipe/clickhouse';
import { readSessionStates } from '../queries/session-states.ts';
import { defineRoute } from '../route.ts';

export const SessionStatesView = z.object({
  states: z.array(
    z.object({
      sessionId: z.string(),
      status: z.string().meta({ example: 'CONNECTED' }),
      reason: z.string(),
      at: z.string().meta({ format: 'date-time', description: 'When the provider reported it.' }),
    }),
  ),
});

export function sessionStateRoutes(ch: ClickHouse) {
  return [
    defineRoute({
      path: '/v1/session-states',
      operationId: 'listSessionStates',
      label: 'session_states',
      summary: 'The latest state each session reported (by event time), sessions in id order',
      description: 'Only sessions whose provider reports states (ChatSend session.status) are listed.',
      pathParams: z.object({}),
      query: z.object({}),
      response: SessionStatesView,
      errors: [],
      handle: () => readSessionStates(ch),
    }),
  ];
}
