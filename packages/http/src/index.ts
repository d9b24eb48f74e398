export { HttpError, errorBody, handleAppError, httpErrorCodes, sendError } from './errors.ts';
export type { HttpErrorCode } from './errors.ts';
export { requireApiKey } from './api-key.ts';
export { healthRoutes } from './health.ts';
export type { ReadinessChecks } from './health.ts';
export { observeRoute } from './observe-route.ts';
export type { ObservedRoute, RouteObserver } from './observe-route.ts';
export { REQUEST_ID_HEADER, requestIdFromHeaders, requestIdMiddleware, requestIdOf } from './request-id.ts';
export { serveHttp, serveUntilSignal, startOrExit } from './serve.ts';
export type { ServerLimits } from './serve.ts';
export { allowedMethods, answerUnmatchedAsJson } from './unmatched.ts';
export { healthOperations } from './health.ts';
export { ErrorBodySchema, openApiDocument } from './openapi/document.ts';
export type { DocumentInfo, OpenApiDocument } from './openapi/document.ts';
export { describeOperation, honoPathOf } from './openapi/operation.ts';
export type {
  BodyDoc,
  HttpMethod,
  OperationDoc,
  OperationSecurity,
  SuccessDoc,
} from './openapi/operation.ts';
export { openApiOperations, openApiRoutes } from './openapi/routes.ts';
