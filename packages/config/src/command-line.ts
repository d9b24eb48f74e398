// Command-line parsing for every wapipe command (redrive, the local broker, the ClickHouse server): node's
// parseArgs, with its errors (`TypeError [ERR_PARSE_ARGS_UNKNOWN_OPTION]: …`) turned into a UsageError
// whose message names the option, and one runner that prints the command's usage with it.
import { parseArgs } from 'node:util';
import type { ParseArgsConfig } from 'node:util';
import { ConfigError } from './env.ts';

/** A command line that cannot be run as given: print the message and the usage, exit 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

/** `--help` / `-h`: print the usage and exit 0. */
export class HelpRequested extends Error {
  override readonly name = 'HelpRequested';
}

type Options = NonNullable<ParseArgsConfig['options']>;

/** parseArgs, strict, with `--help`/`-h` built in; throws UsageError or HelpRequested. */
export function parseCommandLine<O extends Options>(
  argv: readonly string[],
  options: O,
  config: { positionals?: boolean } = {},
) {
  const withHelp = { ...options, help: { type: 'boolean', short: 'h' } } as const;
  try {
    const parsed = parseArgs({
      args: [...argv],
      options: withHelp,
      allowPositionals: config.positionals ?? false,
      strict: true,
    });
    if ((parsed.values as { help?: boolean }).help === true) throw new HelpRequested();
    return parsed as unknown as {
      values: { [K in keyof O]?: O[K]['type'] extends 'boolean' ? boolean : string };
      positionals: string[];
    };
  } catch (error) {
    if (error instanceof HelpRequested) throw error;
    const code = (error as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      throw new UsageError(usageMessage((error as Error).message));
    }
    throw error;
  }
}

// Node's messages go on about its API ("… To specify a positional argument starting with a '-', …").
function usageMessage(message: string): string {
  const first = message.split('. ')[0] ?? message;
  return first.charAt(0).toLowerCase() + first.slice(1);
}

/**
 * Runs a command's main: usage errors (UsageError, ConfigError) print the message and the usage and exit
 * 2, --help prints the usage and exits 0, any other failure prints `<command> failed: …` and exits 1.
 */
export function runCommand(command: string, usage: string, main: () => Promise<number | void>): void {
  main().then(
    (code) => process.exit(code ?? 0),
    (error: unknown) => {
      if (error instanceof HelpRequested) {
        process.stdout.write(`${usage}\n`);
        process.exit(0);
      }
      if (error instanceof UsageError || error instanceof ConfigError) {
        process.stderr.write(`${error.message}\n\n${usage}\n`);
        process.exit(2);
      }
      process.stderr.write(`${command} failed: ${error instanceof Error ? error.message : String(error)}\n`);
      process.exit(1);
    },
  );
}
