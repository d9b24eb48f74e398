import { describe, expect, it } from 'vitest';
import { browserMark, refuseFormPost } from './browser-guard.ts';

describe('browser marks', () => {
  it('passes what @clickhouse/client, curl and Node fetch send', () => {
    expect(browserMark({ host: '127.0.0.1:8123', authorization: 'Basic x' }, '127.0.0.1')).toBeUndefined();
    expect(browserMark({ host: 'localhost:8123', 'sec-fetch-mode': 'cors' }, '127.0.0.1')).toBeUndefined();
    expect(browserMark({ host: 'ch.internal:8123' }, '0.0.0.0')).toBeUndefined();
  });

  it('names the mark of a browser request: Origin, Sec-Fetch-*, a foreign Host on loopback', () => {
    expect(browserMark({ origin: 'null' }, '127.0.0.1')).toMatch(/Origin/);
    expect(browserMark({ 'sec-fetch-site': 'same-origin' }, '127.0.0.1')).toMatch(/Sec-Fetch-Site/);
    expect(browserMark({ 'sec-fetch-mode': 'no-cors' }, '127.0.0.1')).toMatch(/Sec-Fetch-Mode/);
    expect(browserMark({ 'sec-fetch-dest': 'image' }, '127.0.0.1')).toMatch(/Sec-Fetch-Dest/);
    expect(browserMark({ host: 'evil.example:8123' }, '127.0.0.1')).toMatch(/evil\.example/);
  });

  it('refuses form content types with Basic auth only', () => {
    for (const type of [
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'text/plain;charset=UTF-8',
    ]) {
      expect(() => refuseFormPost({ 'content-type': type }, 'basic')).toThrow(/web form/);
      expect(() => refuseFormPost({ 'content-type': type }, 'headers')).not.toThrow();
    }
    expect(() => refuseFormPost({ 'content-type': 'application/octet-stream' }, 'basic')).not.toThrow();
    expect(() => refuseFormPost({}, 'basic')).not.toThrow();
  });
});
