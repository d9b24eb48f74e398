// GET /console: the operator console (its page and files). Open like /openapi.json: the page holds no data;
// everything it shows comes from /v1 with the API key the operator signs in with.
import { Hono } from 'hono';
import type { Context } from 'hono';
import type { OperationDoc } from '@wapipe/http';
import { CONSOLE_HEADERS, loadConsoleFiles } from '../console/static-files.ts';
import type { StaticFile } from '../console/static-files.ts';

function answer(c: Context, file: StaticFile): Response {
  const headers = {
    ...CONSOLE_HEADERS,
    'content-type': file.contentType,
    'cache-control': file.cacheControl,
    etag: file.etag,
  };
  const seen = c.req.header('if-none-match');
  if (seen !== undefined && seen.split(/\s*,\s*/).includes(file.etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(file.body, { status: 200, headers });
}

const consolePage = (path: string): OperationDoc => ({
  method: 'get',
  path,
  operationId: path.endsWith('/') ? 'getConsoleSlash' : 'getConsole',
  tag: 'Console',
  summary: 'The operator console (an HTML page; its files are served under /console/)',
  description:
    'Open like /openapi.json: the page holds no data. It signs in with an API key, which it sends as the ' +
    'bearer token to the /v1 routes, and loads nothing from another origin.',
  security: 'none',
  response: { status: 200, description: 'The page.', contentType: 'text/html' },
  errors: {},
});

/** The console's page, for the OpenAPI document (its static files are not operations). */
export const consoleOperations: readonly OperationDoc[] = [consolePage('/console'), consolePage('/console/')];

export function consoleRoutes(): Hono {
  const { files, index } = loadConsoleFiles();
  const app = new Hono();
  app.get('/console', (c) => answer(c, index));
  app.get('/console/', (c) => answer(c, index));
  app.get('/console/*', async (c, next) => {
    const file = files.get(c.req.path.slice('/console/'.length));
    return file ? answer(c, file) : next();
  });
  return app;
}
