// A route is described once — path, parameter schemas, response schema, errors — and that description
// both serves requests (parsing parameters with the schemas) and generates the OpenAPI document.
import type { Hono } from 'hono';
import type { z } from 'zod';
import { parseQuery, parseWith } from './params.ts';

export type ErrorStatus = 400 | 401 | 404 | 503;

export interface ApiRoute<Path extends z.ZodType, Query extends z.ZodType, Response extends z.ZodType> {
  /** OpenAPI form, e.g. `/v1/messages/{id}`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  pathParams: Path;
  query: Query;
  response: Response;
  /** Error statuses besides 401 and 503, which every /v1 route can answer. */
  errors: readonly ErrorStatus[];
  handle(input: { path: z.output<Path>; query: z.output<Query> }): Promise<z.output<Response>>;
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

export function mountRoutes(app: Hono, routes: readonly AnyRoute[]): void {
  for (const route of routes) {
    app.get(honoPath(route.path), async (c) => {
      const path: unknown = parseWith(route.pathParams, c.req.param());
      const query: unknown = parseQuery(route.query, c.req.url);
      return c.json(await route.handle({ path, query }));
    });
  }
}
