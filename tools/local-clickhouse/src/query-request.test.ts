import { describe, expect, it } from 'vitest';
import { parseMultipart, parseQueryRequest } from './query-request.ts';

const url = (search: string) => new URL(`http://127.0.0.1:8123/?${search}`);

describe('parseQueryRequest', () => {
  it('joins the query parameter and the body with a line break, as a server does for inserts', () => {
    const request = parseQueryRequest(
      'POST',
      url('query=INSERT%20INTO%20t%20FORMAT%20JSONEachRow&query_id=q1'),
      {},
      Buffer.from('{"a":1}\n'),
    );
    expect(request.sql).toBe('INSERT INTO t FORMAT JSONEachRow\n{"a":1}\n');
    expect(request.queryId).toBe('q1');
  });

  it('splits URL parameters into settings, query parameters and request options', () => {
    const request = parseQueryRequest(
      'POST',
      url(
        'param_s=it%5C%27s&database=db&default_format=JSONEachRow&max_threads=2&wait_end_of_query=1' +
          '&enable_http_compression=1&http_zlib_compression_level=5&user=u',
      ),
      {},
      Buffer.from('SELECT {s:String}'),
    );
    expect(Object.fromEntries(request.settings)).toEqual({ max_threads: '2' });
    expect(Object.fromEntries(request.params)).toEqual({ s: "it\\'s" });
    expect(request).toMatchObject({
      database: 'db',
      defaultFormat: 'JSONEachRow',
      compressResponse: true,
      compressionLevel: 5,
      readonly: false,
    });
  });

  it('treats GET and the readonly setting as read-only, and refuses sessions and empty queries', () => {
    expect(parseQueryRequest('GET', url('query=SELECT%201'), {}, Buffer.alloc(0)).readonly).toBe(true);
    expect(parseQueryRequest('POST', url('readonly=1'), {}, Buffer.from('SELECT 1')).readonly).toBe(true);
    expect(() => parseQueryRequest('POST', url('session_id=s'), {}, Buffer.from('SELECT 1'))).toThrow(
      /session_id/,
    );
    expect(() => parseQueryRequest('POST', url(''), {}, Buffer.from('  '))).toThrow(/Empty query/);
  });

  it('reads the query and parameters from a multipart body', () => {
    const boundary = '----b';
    const body = Buffer.from(
      `--${boundary}\r\nContent-Disposition: form-data; name="query"\r\n\r\nSELECT {v:String}\r\n` +
        `--${boundary}\r\nContent-Disposition: form-data; name="param_v"\r\n\r\nline1\\nline2\r\n--${boundary}--\r\n`,
    );
    const contentType = `multipart/form-data; boundary=${boundary}`;
    expect(Object.fromEntries(parseMultipart(body, contentType))).toEqual({
      query: 'SELECT {v:String}',
      param_v: 'line1\\nline2',
    });
    const request = parseQueryRequest('POST', url('query_id=x'), { 'content-type': contentType }, body);
    expect(request.sql).toBe('SELECT {v:String}');
    expect(request.params.get('v')).toBe('line1\\nline2');
  });
});
