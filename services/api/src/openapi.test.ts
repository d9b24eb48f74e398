import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { openApiDocument } from '@wapipe/http';
import { API_DOCUMENT_INFO, apiOperations, apiRoutes } from './app.ts';

const routes = apiRoutes({} as never, () => new Date());
const doc = openApiDocument(API_DOCUMENT_INFO, apiOperations(routes));

type Operation = {
  operationId: string;
  parameters: { name: string; in: string; required: boolean }[];
  responses: Record<string, unknown>;
};
const operation = (path: string) => (doc.paths[path] as { get: Operation }).get;

describe('the read routes in the OpenAPI document', () => {
  it('have one operation per route, with its parameters from the same schemas', () => {
    for (const route of routes) {
      const op = operation(route.path);
      expect(op.operationId).toBe(route.operationId);
      const inputs = (schema: z.ZodType) =>
        Object.keys((z.toJSONSchema(schema, { io: 'input' }) as { properties?: object }).properties ?? {});
      expect(op.parameters.map((p) => p.name).sort()).toEqual(
        [...inputs(route.pathParams), ...inputs(route.query)].sort(),
      );
      expect(Object.keys(op.responses)).toEqual(expect.arrayContaining(['200', '401', '503']));
    }
  });

  it('mark path parameters and the stats range as required, the rest as optional', () => {
    const required = (path: string) =>
      operation(path)
        .parameters.filter((p) => p.required)
        .map((p) => p.name);
    expect(required('/v1/messages/{id}')).toEqual(['id']);
    expect(required('/v1/sessions/{sessionId}/stats')).toEqual(['sessionId', 'from', 'to']);
    expect(required('/v1/sessions/{sessionId}/replies')).toEqual(['sessionId']);
    expect(required('/v1/sessions/{sessionId}/stream')).toEqual(['sessionId']);
    expect(required('/v1/alerts')).toEqual([]);
  });

  it('document the 404 of a message that nothing knows, and the 400 of every parameter', () => {
    expect(Object.keys(operation('/v1/messages/{id}').responses)).toContain('404');
    for (const route of routes)
      expect(Object.keys(operation(route.path).responses), route.path).toContain('400');
  });

  it('are plain JSON', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
