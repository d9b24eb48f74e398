// The OpenAPI 3.1 document of a list of operations, generated from their own zod schemas (z.toJSONSchema),
// so the document and the validation cannot disagree.
import { z } from 'zod';
import { httpErrorCodes } from '../errors.ts';
import type { OperationDoc, OperationSecurity, SuccessDoc } from './operation.ts';

type JsonSchema = Record<string, unknown>;

/** The error shape of every wapipe answer that is not a success. */
export const ErrorBodySchema = z
  .object({
    error: z.object({
      code: z.enum(httpErrorCodes),
      message: z
        .string()
        .meta({ description: 'What went wrong and what to fix; never a secret or a stack.' }),
    }),
  })
  .meta({
    example: { error: { code: 'bad_parameter', message: 'limit: expected an integer from 1 to 1000' } },
  });

const securitySchemes = {
  apiKey: {
    type: 'http',
    scheme: 'bearer',
    description:
      'One of the keys in API_KEYS, as `Authorization: Bearer <key>`. A `read:` key may only read (a write answers 403).',
  },
  metaSignature: {
    type: 'apiKey',
    in: 'header',
    name: 'X-Hub-Signature-256',
    description: '`sha256=<hex HMAC-SHA256 of the raw body, keyed with the session’s Meta app secret>`.',
  },
  standardWebhooks: {
    type: 'apiKey',
    in: 'header',
    name: 'webhook-signature',
    description:
      'Standard Webhooks: `v1,<base64 HMAC-SHA256 of "{webhook-id}.{webhook-timestamp}.{raw body}">`, keyed with ' +
      'the decoded `whsec_` secret of the session. `webhook-id` and `webhook-timestamp` (unix seconds, within 5 ' +
      'minutes of now) are required too.',
  },
} as const;

const securityOf = (security: OperationSecurity) => (security === 'none' ? [] : [{ [security]: [] }]);

function jsonSchema(schema: z.ZodType, io: 'input' | 'output'): JsonSchema {
  const { $schema: _drop, ...rest } = z.toJSONSchema(schema, { io, unrepresentable: 'any' }) as JsonSchema;
  return rest;
}

/** One OpenAPI parameter per property of an object schema (read as input: what the client sends). */
function parameters(schema: z.ZodType | undefined, where: 'path' | 'query' | 'header'): JsonSchema[] {
  if (!schema) return [];
  const object = jsonSchema(schema, 'input');
  const properties = (object['properties'] ?? {}) as Record<string, JsonSchema>;
  const required = new Set((object['required'] ?? []) as string[]);
  return Object.entries(properties).map(([name, property]) => {
    const { description, example, ...rest } = property;
    return {
      name,
      in: where,
      required: where === 'path' || required.has(name),
      ...(description === undefined ? {} : { description }),
      ...(example === undefined ? {} : { example }),
      schema: rest,
    };
  });
}

const errorResponse = (description: string) => ({
  description,
  content: { 'application/json': { schema: { $ref: '#/components/schemas/Error' } } },
});

const successResponse = (response: SuccessDoc) => ({
  description: response.description,
  ...(response.schema || response.contentType || response.example !== undefined
    ? {
        content: {
          [response.contentType ?? 'application/json']: {
            schema: response.schema ? jsonSchema(response.schema, 'output') : { type: 'string' },
            ...(response.example === undefined ? {} : { example: response.example }),
          },
        },
      }
    : {}),
});

function operationObject(op: OperationDoc) {
  const errors = Object.entries(op.errors)
    .filter((entry): entry is [string, string] => entry[1] !== undefined)
    .sort(([a], [b]) => Number(a) - Number(b));
  return {
    operationId: op.operationId,
    tags: [op.tag],
    summary: op.summary,
    ...(op.description ? { description: op.description } : {}),
    security: securityOf(op.security),
    parameters: [
      ...parameters(op.pathParams, 'path'),
      ...parameters(op.query, 'query'),
      ...parameters(op.headers, 'header'),
    ],
    ...(op.body
      ? {
          requestBody: {
            required: true,
            content: {
              [op.body.contentType ?? 'application/json']: {
                schema: jsonSchema(op.body.schema, 'input'),
                ...(op.body.examples ? { examples: op.body.examples } : {}),
              },
            },
          },
        }
      : {}),
    responses: {
      ...Object.fromEntries(
        [op.response, ...(op.alsoAnswers ?? [])].map((r) => [r.status, successResponse(r)]),
      ),
      ...Object.fromEntries(errors.map(([status, when]) => [status, errorResponse(when)])),
    },
  };
}

export interface DocumentInfo {
  title: string;
  version: string;
  description: string;
}

export function openApiDocument(info: DocumentInfo, operations: readonly OperationDoc[]) {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const op of operations) {
    const item = (paths[op.path] ??= {});
    if (item[op.method]) throw new Error(`two OpenAPI operations for ${op.method.toUpperCase()} ${op.path}`);
    item[op.method] = operationObject(op);
  }
  return {
    openapi: '3.1.0',
    info,
    servers: [
      { url: '/', description: 'The deployment that served this document' },
      { url: 'http://localhost:8080', description: 'The all-in-one on its default PORT' },
    ],
    tags: [...new Set(operations.map((op) => op.tag))].map((name) => ({ name })),
    paths,
    components: {
      securitySchemes,
      schemas: { Error: jsonSchema(ErrorBodySchema, 'output') },
    },
  };
}

export type OpenApiDocument = ReturnType<typeof openApiDocument>;
