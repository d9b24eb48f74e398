// A route is described once — path, parameter schemas, response schema, errors — and that description
// both serves requests (parsing parameters with the schemas) and generates the OpenAPI document.
import type { Hono } from 'hono';
import type { z } from 'zod';
import { HttpError } from '@wapipe/http';
import { wantsCsv } from './csv.ts';
import { parseQuery, parseWith } from './params.ts';

export type ErrorStatus = 400 | 401 | 404 | 503;

/** Whether a session exists; a route under /v1/sessions/{sessionId}/ answers 404 for one that does not. */
export type SessionExists = (sessionId: string) => Promise<boolean>;

export interface ApiRoute<Path extends z.ZodType, Query extends z.ZodType, Response extends z.ZodType> {
  /** OpenAPI form, e.g. `/v1/messages/{id}`. */
  path: string;
  operationId: string;
  /** A short, bounded label for logs and metrics (`route="…"`). */
  label: string;
  summary: string;
  description?: string;
  /** The OpenAPI tag (default `Reading`). */
  tag?: string;
  pathParams: Path;
  query: Query;
  response: Response;
  /** Error statuses besides 401 and 503, which every /v1 route can answer. */
  errors: readonly ErrorStatus[];
  handle(input: { path: z.output<Path>; query: z.output<Query> }): Promise<z.output<Response>>;
  /** The answer as CSV, for `Accept: text/csv` (a page's next cursor goes in `x-next-cursor`). */
  csv?(response: z.output<Response>, query: z.output<Query>): string;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any -- a list of routes with different schemas
export type AnyRoute = ApiRoute<any, any, any>;

/** Identity, for type inference of a route's handler from its schemas. */
export function defineRoute<Path extends z.ZodType, Query extends z.ZodType, Response extends z.ZodType>(
  route: ApiRoute<Path, Query, Response>,
): ApiRoute<Path, Query, Response> {
  return route;
}

/** `/v1/messages/{id}` → `/v1/messages/:id`. */
export const honoPath = (path: string) => path.replace(/\{([A-Za-z]+)\}/g, ':$1');

/** Routes of one session's data: they answer 404 `unknown_session` for a session that does not exist. */
export const isSessionScoped = (route: AnyRoute) => route.path.startsWith('/v1/sessions/{sessionId}/');

/** 404 `unknown_session` unless the session exists: every route under /v1/sessions/{sessionId}/. */
export async function requireSession(sessionExists: SessionExists, sessionId: string): Promise<void> {
  if (!(await sessionExists(sessionId))) {
    throw new HttpError(
      404,
      'unknown_session',
      `no session "${sessionId}"; PUT /v1/sessions/${sessionId} first`,
    );
  }
}

export function mountRoutes(app: Hono, routes: readonly AnyRoute[], sessionExists: SessionExists): void {
  for (const route of routes) {
    app.get(honoPath(route.path), async (c) => {
      const path: unknown = parseWith(route.pathParams, c.req.param());
      const query: unknown = parseQuery(route.query, c.req.url);
      if (isSessionScoped(route))
        await requireSession(sessionExists, (path as { sessionId: string }).sessionId);
      const response = await route.handle({ path, query });
      if (route.csv && wantsCsv(c.req.header('accept'))) {
        const next = (response as { nextCursor?: unknown }).nextCursor;
        if (typeof next === 'string') c.header('x-next-cursor', next);
        return c.body(route.csv(response, query), 200, { 'content-type': 'text/csv; charset=utf-8' });
      }
      return c.json(response);
    });
  }
}
