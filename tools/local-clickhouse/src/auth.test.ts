import { describe, expect, it } from 'vitest';
import { authenticate } from './auth.ts';

const account = { user: 'default', password: 's3cret' };
const url = (search = '') => new URL(`http://127.0.0.1:8123/${search}`);
const basic = (user: string, password: string) =>
  `Basic ${Buffer.from(`${user}:${password}`).toString('base64')}`;

describe('authenticate', () => {
  it('accepts the configured user by Basic auth or X-ClickHouse headers, and says which', () => {
    expect(authenticate({ authorization: basic('default', 's3cret') }, url(), account)).toEqual({
      user: 'default',
      scheme: 'basic',
    });
    expect(
      authenticate({ 'x-clickhouse-user': 'default', 'x-clickhouse-key': 's3cret' }, url(), account),
    ).toEqual({ user: 'default', scheme: 'headers' });
  });

  it('asks for a password when none is sent, and refuses a wrong one or another user', () => {
    expect(() => authenticate({}, url(), account)).toThrow(
      expect.objectContaining({ code: 194, type: 'REQUIRED_PASSWORD' }),
    );
    for (const attempt of [
      () => authenticate({ authorization: basic('default', 'nope') }, url(), account),
      () => authenticate({ authorization: basic('admin', 's3cret') }, url(), account),
      () => authenticate({ 'x-clickhouse-user': 'default' }, url(), account),
    ]) {
      expect(attempt).toThrow(expect.objectContaining({ code: 516, type: 'AUTHENTICATION_FAILED' }));
    }
    expect(() => authenticate({ authorization: basic('default', 'nope') }, url(), account)).not.toThrow(
      /nope/,
    );
  });

  it('refuses credentials in the URL, even right ones, and mixed schemes', () => {
    expect(() => authenticate({}, url('?user=default&password=s3cret'), account)).toThrow(/URL parameters/);
    expect(() =>
      authenticate(
        { authorization: basic('default', 's3cret'), 'x-clickhouse-key': 's3cret' },
        url(),
        account,
      ),
    ).toThrow(/not allowed/);
  });
});
