// Runs the program and turns what ended it into an exit code scripts can trust, and a message (never a
// stack) that says what to fix.
import { CommanderError } from 'commander';
import { CliError, EXIT, UsageError } from './errors.ts';
import { paintErr } from './output.ts';
import { createProgram } from './program.ts';

const program = createProgram();
try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // help and --version "fail" with exit code 0; every other commander error is a usage error.
    process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
  } else if (error instanceof CliError) {
    process.stderr.write(`${paintErr('red', 'error:')} ${error.message}\n`);
    if (error instanceof UsageError) process.stderr.write(`(see: wapipe ${process.argv[2] ?? ''} --help)\n`);
    process.exitCode = error.exitCode;
  } else {
    process.stderr.write(
      `${paintErr('red', 'wapipe failed:')} ${error instanceof Error ? error.message : String(error)}\n`,
    );
    process.exitCode = EXIT.failure;
  }
}
// Clients (kafkajs's retries, keep-alive sockets) may hold timers: the command is over, so is the process.
process.exit(process.exitCode ?? EXIT.ok);
