// GET /openapi.json and GET /docs for the operations a server serves (its own two included).
import { Hono } from 'hono';
import { z } from 'zod';
import { openApiDocument } from './document.ts';
import type { DocumentInfo, OpenApiDocument } from './document.ts';
import type { OperationDoc } from './operation.ts';
import { referencePage } from './reference-page.ts';

export const openApiOperations: readonly OperationDoc[] = [
  {
    method: 'get',
    path: '/openapi.json',
    operationId: 'getOpenApiDocument',
    tag: 'Reference',
    summary: 'This OpenAPI 3.1 document',
    description: 'Generated at start from the same zod schemas that validate the requests.',
    security: 'none',
    response: {
      status: 200,
      description: 'The document.',
      schema: z.looseObject({ openapi: z.literal('3.1.0') }),
    },
    errors: {},
  },
  {
    method: 'get',
    path: '/docs',
    operationId: 'getReferencePage',
    tag: 'Reference',
    summary: 'This document as a browsable HTML page',
    description: 'Self-contained: no script and nothing loaded from outside the deployment.',
    security: 'none',
    response: { status: 200, description: 'The page.', contentType: 'text/html' },
    errors: {},
  },
];

export function openApiRoutes(
  info: DocumentInfo,
  operations: readonly OperationDoc[],
): { app: Hono; document: OpenApiDocument } {
  const document = openApiDocument(info, [...operations, ...openApiOperations]);
  const page = referencePage(document);
  const app = new Hono();
  app.get('/openapi.json', (c) => c.json(document));
  app.get('/docs', (c) => c.html(page));
  return { app, document };
}
