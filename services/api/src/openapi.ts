// The read routes as OpenAPI operations: each ApiRoute already carries its schemas and its words
// (route.ts), so this only maps them; @wapipe/http builds the document.
import type { OperationDoc } from '@wapipe/http';
import type { AnyRoute, ErrorStatus } from './route.ts';

export const errorText: Record<ErrorStatus, string> = {
  400: 'A parameter is not valid; the message names it.',
  401: 'No API key, or not a valid one.',
  404: 'Nothing is known under this id (`not_found`), or no such session (`unknown_session`).',
  503: 'ClickHouse does not answer (or its tables are not created yet); retry after `Retry-After` seconds.',
};

export const readTag = 'Reading';

export function apiOperation(route: AnyRoute): OperationDoc {
  const statuses = [...new Set<ErrorStatus>([...route.errors, 401, 503])];
  return {
    method: 'get',
    path: route.path,
    operationId: route.operationId,
    tag: route.tag ?? readTag,
    summary: route.summary,
    ...(route.description ? { description: route.description } : {}),
    security: 'apiKey',
    pathParams: route.pathParams,
    query: route.query,
    response: { status: 200, description: 'OK', schema: route.response },
    errors: Object.fromEntries(statuses.map((s) => [s, errorText[s]])),
  };
}
