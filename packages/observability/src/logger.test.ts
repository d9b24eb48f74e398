import { describe, expect, it } from 'vitest';
import { createLogger } from './logger.ts';

const capture = (level?: 'debug' | 'info') => {
  const lines: string[] = [];
  const logger = createLogger({ level, base: { service: 'all-in-one' }, write: (l) => lines.push(l) });
  return { logger, records: () => lines.map((l) => JSON.parse(l) as Record<string, unknown>), lines };
};

describe('logger', () => {
  it('writes one JSON line per call with the level as a word, an ISO time and the message', () => {
    const { logger, records, lines } = capture();
    logger.info('listening', { port: 8080 });
    expect(lines).toHaveLength(1);
    expect(lines[0]).not.toContain('\n');
    expect(records()[0]).toEqual({
      level: 'info',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      service: 'all-in-one',
      port: 8080,
      msg: 'listening',
    });
  });

  it('drops lines below its level', () => {
    const { logger, lines } = capture('info');
    logger.debug('noise');
    logger.warn('kept');
    expect(lines.map((l) => (JSON.parse(l) as { msg: string }).msg)).toEqual(['kept']);
  });

  it('redacts secret-looking fields at any depth, in calls and in child bindings', () => {
    const { logger, lines } = capture();
    logger.child({ apiKey: 'k-123' }).warn('x', {
      headers: { authorization: 'Bearer abc', 'x-hub-signature-256': 'sha256=ff' },
      secret: 's3',
    });
    expect(lines[0]).not.toMatch(/k-123|Bearer abc|sha256=ff|s3/);
    expect(lines[0]).toContain('[redacted]');
  });

  it('lets a child replace a field of its parent instead of writing the key twice', () => {
    const { logger, lines } = capture();
    logger.child({ service: 'ingress' }).child({ component: 'kafka' }).info('x');
    expect(lines[0]!.match(/"service"/g)).toHaveLength(1);
    expect(JSON.parse(lines[0]!)).toMatchObject({ service: 'ingress', component: 'kafka' });
  });

  it('writes an error as its name and message, never its stack', () => {
    const { logger, records } = capture();
    logger.error('failed', { error: new TypeError('boom') });
    expect(records()[0]!['error']).toEqual({ name: 'TypeError', message: 'boom' });
  });
});
