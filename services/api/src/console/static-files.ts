// The console's files, read once at start and served from memory: its own ES modules and styles
// (services/api/console/, no build step) and uPlot from node_modules. Each answer carries its content type,
// a strong ETag (a reload revalidates in one round trip: 304) and a Content-Security-Policy that lets the
// page load and connect only to this origin.
import { createHash } from 'node:crypto';
import { readFileSync, readdirSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, extname, join, relative, sep } from 'node:path';
import { fileURLToPath } from 'node:url';

export interface StaticFile {
  body: Uint8Array;
  contentType: string;
  etag: string;
  cacheControl: string;
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
};

/** Only this origin, for everything; no inline script or style, no frames, no plugins. */
export const CONSOLE_CSP = [
  "default-src 'self'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

export const CONSOLE_HEADERS = {
  'content-security-policy': CONSOLE_CSP,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
};

// Revalidated on every load (one 304 round trip each): the files change with wapipe, and uPlot's with
// its version, under the same URLs.
const REVALIDATE = 'no-cache';

function staticFile(body: Uint8Array, path: string, cacheControl: string): StaticFile {
  const contentType = CONTENT_TYPES[extname(path)];
  if (!contentType) throw new Error(`console: no content type for ${path}; add its extension`);
  const etag = `"${createHash('sha256').update(body).digest('base64url').slice(0, 27)}"`;
  return { body, contentType, etag, cacheControl };
}

function filesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name));
}

export interface ConsoleFiles {
  /** By URL path under /console/ (e.g. `app.js`, `vendor/uplot/uPlot.esm.js`). */
  files: ReadonlyMap<string, StaticFile>;
  index: StaticFile;
}

export function loadConsoleFiles(): ConsoleFiles {
  const root = fileURLToPath(new URL('../../console/', import.meta.url));
  const files = new Map<string, StaticFile>();
  for (const path of filesUnder(root)) {
    const url = relative(root, path).split(sep).join('/');
    files.set(url, staticFile(readFileSync(path), path, REVALIDATE));
  }
  const require = createRequire(import.meta.url);
  const uplotDir = dirname(require.resolve('uplot/package.json'));
  for (const name of ['uPlot.esm.js', 'uPlot.min.css']) {
    const path = join(uplotDir, 'dist', name);
    files.set(`vendor/uplot/${name}`, staticFile(readFileSync(path), path, REVALIDATE));
  }
  const index = files.get('index.html');
  if (!index) throw new Error(`console: ${root}index.html is missing`);
  return { files, index };
}
