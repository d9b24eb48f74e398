// The OpenAPI 3.1 document, generated from the routes' own zod schemas (z.toJSONSchema), so the document
// and the validation cannot disagree.
import { z } from 'zod';
import { ErrorBody } from './responses.ts';
import type { AnyRoute, ErrorStatus } from './route.ts';

type JsonSchema = Record<string, unknown>;

const errorText: Record<ErrorStatus, string> = {
  400: 'A parameter is not valid; the message names it.',
  401: 'No API key, or not a valid one.',
  404: 'Nothing is known under this id.',
  503: 'ClickHouse does not answer (or its tables are not created yet); retry after `Retry-After` seconds.',
};

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** One OpenAPI parameter per property of an object schema (read as input: what the client sends). */
function parameters(schema: z.ZodType, where: 'path' | 'query'): JsonSchema[] {
  const object = jsonSchema(schema, 'input');
  const properties = (object['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description === undefined ? {} : { description }),
      schema: rest,
    };
  });
}

const errorResponse = (status: ErrorStatus) => ({
  description: errorText[status],
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

export function openApiDocument(routes: readonly AnyRoute[], info: { title: string; version: string }) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const statuses = [...new Set<ErrorStatus>([...route.errors, 401, 503])].sort();
    paths[route.path] = {
      get: {
        operationId: route.operationId,
        summary: route.summary,
        ...(route.description ? { description: route.description } : {}),
        parameters: [...parameters(route.pathParams, 'path'), ...parameters(route.query, 'query')],
        responses: {
          200: {
            description: 'OK',
            content: { 'application/json': { schema: jsonSchema(route.response, 'output') } },
          },
          ...Object.fromEntries(statuses.map((s) => [s, errorResponse(s)])),
        },
      },
    };
  }
  return {
    openapi: '3.1.0',
    info: {
      ...info,
      description: 'The read side of wapipe. Every /v1 route needs `Authorization: Bearer <key>` (API_KEYS).',
    },
    security: [{ apiKey: [] }],
    paths,
    components: {
      securitySchemes: { apiKey: { type: 'http', scheme: 'bearer' } },
      schemas: { Error: jsonSchema(ErrorBody, 'output') },
    },
  };
}
