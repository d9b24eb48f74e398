// What a request that no route serves gets: 405 with Allow when the path exists under another method,
// else 404, both in the error shape. Hono only uses the notFound handler of the app that serves, so every
// app that is served (the services alone, the all-in-one, tests) calls this on itself.
import type { Hono } from 'hono';
import { errorBody } from './errors.ts';

const patternCache = new Map<string, RegExp>();

/** A Hono path (`/v1/sessions/:sessionId`, `/static/*`) as an anchored regular expression. */
function pathPattern(path: string): RegExp {
  let re = patternCache.get(path);
  if (!re) {
    const source = path
      .split('/')
      .map((part) =>
        part === '*' ? '.*' : part.startsWith(':') ? '[^/]+' : part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'),
      )
      .join('/');
    re = new RegExp(`^${source}/?$`);
    patternCache.set(path, re);
  }
  return re;
}

/** The methods some handler of `app` answers for `path` (middleware, registered as ALL, not counted). */
export function allowedMethods(app: Hono, path: string): string[] {
  const methods = new Set<string>();
  for (const route of app.routes) {
    if (route.method === 'ALL' || route.path.endsWith('*')) continue;
    if (pathPattern(route.path).test(path)) methods.add(route.method);
  }
  if (methods.has('GET')) methods.add('HEAD');
  return [...methods].sort();
}

export function answerUnmatchedAsJson(app: Hono): void {
  app.notFound((c) => {
    const allowed = allowedMethods(app, c.req.path);
    if (allowed.length > 0 && !allowed.includes(c.req.method)) {
      c.header('Allow', allowed.join(', '));
      return c.json(
        errorBody(
          'method_not_allowed',
          `${c.req.method} is not served on ${c.req.path}; use ${allowed.join(', ')}`,
        ),
        405,
      );
    }
    return c.json(errorBody('not_found', `no route ${c.req.method} ${c.req.path}`), 404);
  });
}
