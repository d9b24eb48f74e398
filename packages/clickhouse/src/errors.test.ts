import { describe, expect, it } from 'vitest';
import { ClickHouseError, classifyError, maskQuotedData, scrubSecrets } from './errors.ts';
import type { ErrorContext } from './errors.ts';

const http: ErrorContext = {
  backend: 'http',
  location: 'CLICKHOUSE_URL=http://127.0.0.1:8123',
  password: 'pa55-w0rd',
  operation: 'query',
};

/** The shape both drivers throw for an engine error (code is the numeric code as a string). */
const engineError = (type: string, code = '1', message = `boom (${type})`) =>
  Object.assign(new Error(message), { code, type });

const errnoError = (code: string) => Object.assign(new Error(`connect ${code} 127.0.0.1:8123`), { code });

describe('classifyError', () => {
  it('marks a refused connection as unavailable and retryable, naming CLICKHOUSE_URL', () => {
    const error = classifyError(errnoError('ECONNREFUSED'), http);
    expect(error).toMatchObject({ code: 'CLICKHOUSE_UNAVAILABLE', retry: true });
    expect(error.message).toContain('CLICKHOUSE_URL=http://127.0.0.1:8123');
  });

  it.each(['ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE'])(
    'treats %s as retryable',
    (errno) => {
      expect(classifyError(errnoError(errno), http)).toMatchObject({
        code: 'CLICKHOUSE_UNAVAILABLE',
        retry: true,
      });
    },
  );

  it('finds a network error wrapped as a cause', () => {
    const wrapped = new Error('request failed', { cause: errnoError('ECONNRESET') });
    expect(classifyError(wrapped, http)).toMatchObject({ code: 'CLICKHOUSE_UNAVAILABLE', retry: true });
  });

  it('marks the driver request timeout as a retryable timeout', () => {
    expect(classifyError(new Error('Timeout error.'), http)).toMatchObject({
      code: 'CLICKHOUSE_TIMEOUT',
      retry: true,
    });
  });

  it('marks a proxy 5xx page as unavailable and retryable', () => {
    expect(classifyError(new Error('<html>502 Bad Gateway</html>'), http)).toMatchObject({
      code: 'CLICKHOUSE_UNAVAILABLE',
      retry: true,
    });
  });

  it.each(['TOO_MANY_PARTS', 'TOO_MANY_SIMULTANEOUS_QUERIES', 'MEMORY_LIMIT_EXCEEDED', 'TABLE_IS_READ_ONLY'])(
    'treats the engine error %s as retryable',
    (type) => {
      expect(classifyError(engineError(type), http)).toMatchObject({
        code: 'CLICKHOUSE_QUERY_FAILED',
        retry: true,
        clickhouseType: type,
      });
    },
  );

  it.each([
    'SYNTAX_ERROR',
    'UNKNOWN_TABLE',
    'TYPE_MISMATCH',
    'BAD_QUERY_PARAMETER',
    'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
  ])('treats the engine error %s as final', (type) => {
    expect(classifyError(engineError(type), http)).toMatchObject({
      code: 'CLICKHOUSE_QUERY_FAILED',
      retry: false,
    });
  });

  it('maps the engine time limit to a retryable timeout', () => {
    expect(classifyError(engineError('TIMEOUT_EXCEEDED', '159'), http)).toMatchObject({
      code: 'CLICKHOUSE_TIMEOUT',
      retry: true,
    });
  });

  it('maps refused credentials to a final auth failure', () => {
    expect(classifyError(engineError('AUTHENTICATION_FAILED', '516'), http)).toMatchObject({
      code: 'CLICKHOUSE_AUTH_FAILED',
      retry: false,
    });
  });

  it('treats an unknown failure as final', () => {
    expect(classifyError(new Error('something odd'), { ...http, backend: 'embedded' })).toMatchObject({
      code: 'CLICKHOUSE_QUERY_FAILED',
      retry: false,
    });
  });

  it('passes a ClickHouseError through unchanged', () => {
    const original = new ClickHouseError('CLICKHOUSE_BAD_INPUT', 'bad');
    expect(classifyError(original, http)).toBe(original);
  });

  it('never lets the password or URL credentials into a message', () => {
    const leaky = engineError('UNKNOWN_TABLE', '60', 'for http://u:pa55-w0rd@host:8123/ with pa55-w0rd');
    const error = classifyError(leaky, http);
    expect(error.message).not.toContain('pa55-w0rd');
    expect(error.message).not.toContain('u:');
  });
});

describe('scrubSecrets', () => {
  it('removes user info from URLs and the password anywhere', () => {
    expect(scrubSecrets('see https://admin:hunter2@ch.local:8443/x', 'hunter2')).toBe(
      'see https://ch.local:8443/x',
    );
    expect(scrubSecrets('token hunter2 here', 'hunter2')).toBe('token [redacted] here');
  });
});

describe('maskQuotedData', () => {
  it('hides the input a parse error quotes but keeps what it says about it', () => {
    const parse =
      "Cannot parse input: expected '\"' before: 'it's secret\"}\\n': (while reading the value of key n): (at row 1)";
    const masked = maskQuotedData(parse);
    expect(masked).not.toContain('secret');
    expect(masked).toContain('(while reading the value of key n)');
    expect(maskQuotedData("Value 555-0100 cannot be parsed as UInt8 for query parameter 'a'")).toBe(
      "Value … cannot be parsed as UInt8 for query parameter '…'",
    );
  });

  it('is applied to engine errors of inserts', () => {
    const error = classifyError(
      Object.assign(new Error("Cannot parse input: expected '\"' before: 'secret-text\"}': (at row 1)"), {
        code: '27',
        type: 'CANNOT_PARSE_INPUT_ASSERTION_FAILED',
      }),
      { ...http, operation: 'insert into events' },
    );
    expect(error.message).not.toContain('secret-text');
    expect(error.message).toContain('CANNOT_PARSE_INPUT_ASSERTION_FAILED');
  });
});
