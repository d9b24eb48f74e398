// GET /docs: the OpenAPI document as one self-contained HTML page, rendered here on the server, so it
// needs no script, no CDN and nothing outside the deployment.
import type { OpenApiDocument } from './document.ts';

const escapeHtml = (text: string) => text.replace(/[&<>"']/g, (ch) => `&#${ch.charCodeAt(0)};`);

/** `code` spans from backticks; everything else escaped. */
const prose = (text: string) => escapeHtml(text).replace(/`([^`]+)`/g, '<code>$1</code>');

const json = (value: unknown) => `<pre>${escapeHtml(JSON.stringify(value, null, 2))}</pre>`;

interface Parameter {
  name: string;
  in: string;
  required: boolean;
  description?: string;
  schema: Record<string, unknown>;
}
interface Media {
  schema?: unknown;
  example?: unknown;
  examples?: Record<string, { summary: string; value: unknown }>;
}
interface Operation {
  operationId: string;
  tags: string[];
  summary: string;
  description?: string;
  security: Record<string, unknown>[];
  parameters: Parameter[];
  requestBody?: { content: Record<string, Media> };
  responses: Record<string, { description: string; content?: Record<string, Media> }>;
}

function schemaType(schema: Record<string, unknown>): string {
  if (Array.isArray(schema['enum'])) return (schema['enum'] as unknown[]).map(String).join(' | ');
  return typeof schema['type'] === 'string' ? schema['type'] : 'any';
}

function media(content: Record<string, Media> | undefined): string {
  if (!content) return '';
  return Object.entries(content)
    .map(([type, m]) => {
      const examples = Object.entries(m.examples ?? {}).map(
        ([name, e]) =>
          `<details><summary>Example ${escapeHtml(name)}: ${prose(e.summary)}</summary>${json(e.value)}</details>`,
      );
      if (m.example !== undefined)
        examples.push(`<details><summary>Example</summary>${json(m.example)}</details>`);
      return (
        `<p><code>${escapeHtml(type)}</code></p>` +
        (m.schema ? `<details><summary>Schema</summary>${json(m.schema)}</details>` : '') +
        examples.join('')
      );
    })
    .join('');
}

function operationHtml(method: string, path: string, op: Operation): string {
  const auth =
    op.security.length === 0 ? 'none' : op.security.map((s) => Object.keys(s).join(', ')).join(' or ');
  const params = op.parameters.length
    ? `<table><tr><th>Parameter</th><th>In</th><th>Type</th><th>Description</th></tr>${op.parameters
        .map(
          (p) =>
            `<tr><td><code>${escapeHtml(p.name)}</code>${p.required ? ' (required)' : ''}</td><td>${p.in}</td>` +
            `<td>${escapeHtml(schemaType(p.schema))}</td><td>${prose(p.description ?? '')}</td></tr>`,
        )
        .join('')}</table>`
    : '';
  const responses = Object.entries(op.responses)
    .map(([status, r]) => `<li><b>${status}</b> ${prose(r.description)}${media(r.content)}</li>`)
    .join('');
  return `<section id="${escapeHtml(op.operationId)}">
<h3><span class="method ${method}">${method.toUpperCase()}</span> <code>${escapeHtml(path)}</code></h3>
<p>${prose(op.summary)}</p>${op.description ? `<p>${prose(op.description)}</p>` : ''}
<p>Auth: ${escapeHtml(auth)}</p>${params}
${op.requestBody ? `<h4>Request body</h4>${media(op.requestBody.content)}` : ''}
<h4>Responses</h4><ul>${responses}</ul></section>`;
}

export function referencePage(document: OpenApiDocument): string {
  const operations = Object.entries(document.paths).flatMap(([path, item]) =>
    Object.entries(item).map(([method, op]) => ({ method, path, op: op as Operation })),
  );
  const byTag = document.tags.map((tag) => ({
    tag: tag.name,
    ops: operations.filter((o) => o.op.tags.includes(tag.name)),
  }));
  const nav = byTag
    .map(
      ({ tag, ops }) =>
        `<h4>${escapeHtml(tag)}</h4><ul>${ops
          .map(
            (o) =>
              `<li><a href="#${escapeHtml(o.op.operationId)}">${o.method.toUpperCase()} ${escapeHtml(o.path)}</a></li>`,
          )
          .join('')}</ul>`,
    )
    .join('');
  const body = byTag
    .map(
      ({ tag, ops }) =>
        `<h2>${escapeHtml(tag)}</h2>${ops.map((o) => operationHtml(o.method, o.path, o.op)).join('')}`,
    )
    .join('');
  const schemes = Object.entries(document.components.securitySchemes)
    .map(([name, s]) => `<li><b>${name}</b>: ${prose(s.description)}</li>`)
    .join('');
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>${escapeHtml(document.info.title)} ${escapeHtml(document.info.version)}</title>
<style>
body{font:15px/1.5 system-ui,sans-serif;margin:0;display:flex;color:#1b1f24}
nav{width:20rem;height:100vh;overflow:auto;position:sticky;top:0;background:#f4f5f7;padding:1rem;box-sizing:border-box;font-size:13px}
nav ul{list-style:none;padding:0}main{flex:1;padding:1rem 2rem;max-width:60rem}
section{border-top:1px solid #ddd;padding:.5rem 0}pre{background:#f4f5f7;padding:.5rem;overflow:auto;font-size:12px}
table{border-collapse:collapse}td,th{border:1px solid #ddd;padding:.2rem .5rem;text-align:left;vertical-align:top}
.method{color:#fff;padding:0 .4rem;border-radius:3px;font-size:13px}.get{background:#2b6cb0}.post{background:#2f855a}
.put{background:#b7791f}.delete{background:#c53030}.patch{background:#6b46c1}
</style></head><body>
<nav><p><a href="/openapi.json">openapi.json</a></p>${nav}</nav>
<main><h1>${escapeHtml(document.info.title)} <small>${escapeHtml(document.info.version)}</small></h1>
<p>${prose(document.info.description)}</p><h2>Authentication</h2><ul>${schemes}</ul>${body}</main>
</body></html>`;
}
