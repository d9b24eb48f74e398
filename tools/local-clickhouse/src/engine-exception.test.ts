import { parseError } from '@clickhouse/client';
import { describe, expect, it } from 'vitest';
import { engineExceptionFrom, exception, exceptionBody, httpStatusFor } from './engine-exception.ts';

describe('engine exceptions over HTTP', () => {
  it('keeps the code and name of an engine message and adds the version once', () => {
    const engine = engineExceptionFrom(
      new Error("Code: 60. DB::Exception: Unknown table expression identifier 'x'. (UNKNOWN_TABLE)"),
    );
    expect(engine).toMatchObject({ code: 60, type: 'UNKNOWN_TABLE' });
    const body = exceptionBody(engine, '26.7.2.1');
    expect(body).toBe(
      "Code: 60. DB::Exception: Unknown table expression identifier 'x'. (UNKNOWN_TABLE) (version 26.7.2.1)\n",
    );
    const nested = engineExceptionFrom(
      new Error(
        'Code: 108. DB::Exception: Code: 108. DB::Exception: No data to insert. (NO_DATA_TO_INSERT) (version 26.7.2.1). (NO_DATA_TO_INSERT)',
      ),
    );
    expect(exceptionBody(nested, '26.7.2.1').match(/\(version/g)).toHaveLength(2);
  });

  it('writes bodies the client parses into code and type', () => {
    for (const failure of [
      exception('AUTHENTICATION_FAILED', 'default: Authentication failed: password is incorrect'),
      engineExceptionFrom(new Error('something without a code')),
    ]) {
      const parsed = parseError(exceptionBody(failure, '26.7.2.1'));
      expect(parsed).toMatchObject({ code: String(failure.code), type: failure.type });
    }
  });

  it('picks the HTTP status a server picks', () => {
    expect(httpStatusFor('SYNTAX_ERROR')).toBe(400);
    expect(httpStatusFor('AUTHENTICATION_FAILED')).toBe(403);
    expect(httpStatusFor('UNKNOWN_DATABASE')).toBe(404);
    expect(httpStatusFor('NOT_IMPLEMENTED')).toBe(501);
    expect(httpStatusFor('TOO_MANY_PARTS')).toBe(500);
  });
});
