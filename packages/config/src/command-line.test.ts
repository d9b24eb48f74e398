import { describe, expect, it } from 'vitest';
import { HelpRequested, UsageError, parseCommandLine } from './command-line.ts';

const options = { port: { type: 'string' }, list: { type: 'boolean' } } as const;

describe('parseCommandLine', () => {
  it('parses known options and positionals', () => {
    expect(parseCommandLine(['--port', '9', '--list', 'x'], options, { positionals: true })).toEqual({
      values: { port: '9', list: true },
      positionals: ['x'],
    });
  });

  it('turns node’s parse errors into usage errors that name the option', () => {
    const message = (argv: string[]) => {
      try {
        parseCommandLine(argv, options);
      } catch (error) {
        expect(error).toBeInstanceOf(UsageError);
        return (error as Error).message;
      }
      throw new Error('expected a usage error');
    };
    expect(message(['--bogus'])).toBe("unknown option '--bogus'");
    expect(message(['--port'])).toBe("option '--port <value>' argument missing");
    expect(message(['--list=3'])).toBe("option '--list' does not take an argument");
    expect(message(['extra'])).toBe("unexpected argument 'extra'");
  });

  it('answers --help and -h with HelpRequested', () => {
    expect(() => parseCommandLine(['--help'], options)).toThrow(HelpRequested);
    expect(() => parseCommandLine(['-h'], options)).toThrow(HelpRequested);
  });
});
