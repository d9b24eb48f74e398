// One operation of wapipe's HTTP interface, described next to the route that serves it, with the zod
// schemas that route validates with. openApiDocument() turns a list of these into the OpenAPI document;
// a test holds every app's route table against that list, so a route without one fails CI.
import type { z } from 'zod';

export type HttpMethod = 'get' | 'put' | 'post' | 'delete' | 'patch';

/**
 * Who may call: `apiKey` is `Authorization: Bearer <key>` (API_KEYS); the two webhook schemes are the
 * providers' signatures, which are the only credential of an intake route; `none` is public.
 */
export type OperationSecurity = 'apiKey' | 'metaSignature' | 'standardWebhooks' | 'none';

export interface BodyDoc {
  schema: z.ZodType;
  /** Default application/json. */
  contentType?: string;
  /** Named examples; taken from real fixtures where there are some. */
  examples?: Record<string, { summary: string; value: unknown }>;
}

export interface SuccessDoc {
  status: number;
  description: string;
  /** Omit for a body that JSON Schema cannot describe (Prometheus text, an event stream, HTML). */
  schema?: z.ZodType;
  contentType?: string;
  example?: unknown;
}

export interface OperationDoc {
  method: HttpMethod;
  /** OpenAPI form: `/v1/sessions/{sessionId}`. */
  path: string;
  operationId: string;
  /** Groups operations in the document and on /docs. */
  tag: string;
  summary: string;
  description?: string;
  security: OperationSecurity;
  pathParams?: z.ZodType;
  query?: z.ZodType;
  /** Request headers besides the credential (e.g. webhook-id). */
  headers?: z.ZodType;
  body?: BodyDoc;
  response: SuccessDoc;
  /** Other answers that are not in the error shape (a 503 readiness answers like its 200). */
  alsoAnswers?: readonly SuccessDoc[];
  /** Error statuses this operation answers, each with when; all use the `{ error: { code, message } }` shape. */
  errors: Partial<Record<number, string>>;
}

/** Identity, so a route file can say what it is describing. */
export const describeOperation = (doc: OperationDoc): OperationDoc => doc;

/** `/v1/messages/{id}` → `/v1/messages/:id` (Hono's form). */
export const honoPathOf = (path: string) => path.replace(/\{([A-Za-z]+)\}/g, ':$1');
