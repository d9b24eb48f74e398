import { describe, expect, it } from 'vitest';
import { urlWithoutCredentials } from './env.ts';

describe('urlWithoutCredentials', () => {
  it('keeps scheme, host, port and path, and drops user, password and query', () => {
    expect(urlWithoutCredentials('http://wapipe:s3cret@clickhouse:8123/')).toBe('http://clickhouse:8123');
    expect(urlWithoutCredentials('https://u:p@ch.example:8443/base?password=x')).toBe(
      'https://ch.example:8443/base',
    );
  });

  it('never echoes a value it cannot parse (it may hold a password)', () => {
    expect(urlWithoutCredentials('not a url with s3cret')).toBe('(unparseable URL)');
  });
});
