import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiRoutes } from './app.ts';
import { openApiDocument } from './openapi.ts';

const routes = apiRoutes({} as never, () => new Date());
const doc = openApiDocument(routes, { title: 't', version: '0' });

type Operation = {
  operationId: string;
  parameters: { name: string; in: string; required: boolean }[];
  responses: Record<string, unknown>;
};
const operation = (path: string) => (doc.paths[path] as { get: Operation }).get;

describe('the OpenAPI document', () => {
  it('has one operation per route, with its parameters from the same schemas', () => {
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

  it('marks path parameters and the stats range as required, the rest as optional', () => {
    const required = (path: string) =>
      operation(path)
        .parameters.filter((p) => p.required)
        .map((p) => p.name);
    expect(required('/v1/messages/{id}')).toEqual(['id']);
    expect(required('/v1/sessions/{sessionId}/stats')).toEqual(['sessionId', 'from', 'to']);
    expect(required('/v1/sessions/{sessionId}/replies')).toEqual(['sessionId']);
    expect(required('/v1/alerts')).toEqual([]);
  });

  it('documents the 404 of a message that nothing knows, and the 400 of every parameter', () => {
    expect(Object.keys(operation('/v1/messages/{id}').responses)).toContain('404');
    for (const route of routes)
      expect(Object.keys(operation(route.path).responses), route.path).toContain('400');
  });

  it('is plain JSON', () => {
    expect(JSON.parse(JSON.stringify(doc))).toEqual(doc);
  });
});
