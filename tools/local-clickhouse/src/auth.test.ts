import { describe, expect, it } from 'vitest';
import { authenticate } from './auth.ts';

const account = { user: 'default', password: 's3cret' };
const url = (search = '') => new URL(`http://127.0.0.1:8123/${search}`);
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authenticate', () => {
  it('accepts the configured user by Basic auth, X-ClickHouse headers or URL parameters', () => {
    expect(authenticate({ authorization: basic('default', 's3cret') }, url(), account)).toBe('default');
    expect(
      authenticate({ 'x-clickhouse-user': 'default', 'x-clickhouse-key': 's3cret' }, url(), account),
    ).toBe('default');
    expect(authenticate({}, url('?user=default&password=s3cret'), account)).toBe('default');
  });

  it('refuses a wrong password, another user, or no credentials when a password is set', () => {
    for (const attempt of [
      () => authenticate({ authorization: basic('default', 'nope') }, url(), account),
      () => authenticate({ authorization: basic('admin', 's3cret') }, url(), account),
      () => authenticate({}, url(), account),
    ]) {
      expect(attempt).toThrow(expect.objectContaining({ code: 516, type: 'AUTHENTICATION_FAILED' }));
    }
    expect(() => authenticate({ authorization: basic('default', 'nope') }, url(), account)).not.toThrow(
      /nope/,
    );
  });

  it('lets anyone in as default when the password is empty, and refuses mixed schemes', () => {
    expect(authenticate({}, url(), { user: 'default', password: '' })).toBe('default');
    expect(() =>
      authenticate({ authorization: basic('default', 's3cret') }, url('?user=default'), account),
    ).toThrow(/not allowed/);
  });
});
