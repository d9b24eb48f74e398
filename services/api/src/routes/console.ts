// GET /console: the operator console (its page and files). Open like /openapi.json: the page holds no data;
// everything it shows comes from /v1 with the API key the operator signs in with.
import { Hono } from 'hono';
import type { Context } from 'hono';
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
