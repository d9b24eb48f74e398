export { HttpError, errorBody, handleAppError, httpErrorCodes, sendError } from './errors.ts';
export type { HttpErrorCode } from './errors.ts';
export { requireApiKey } from './api-key.ts';
export { healthRoutes } from './health.ts';
export type { ReadinessChecks } from './health.ts';
export { serveHttp, serveUntilSignal, startOrExit } from './serve.ts';
export type { ServerLimits } from './serve.ts';
