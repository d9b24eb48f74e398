// The `wapipe` command line: one commander program, every subcommand with --help and an example. Exit
// codes: 0 ok, 1 failure, 2 usage (an unknown option or command prints the usage).
import { Command } from 'commander';
import { kafkaCommands } from './commands/kafka.ts';
import { debuggingCommands } from './commands/debugging.ts';
import { readCommands } from './commands/reads.ts';
import { sessionsCommand } from './commands/sessions.ts';
import { startCommand } from './commands/start.ts';
import { tailCommand } from './commands/tail.ts';
import { triggerCommand } from './commands/trigger.ts';
import { example } from './options.ts';
import { paintErr } from './output.ts';

export function createProgram(): Command {
  const program = new Command('wapipe')
    .description('run wapipe, send it signed sample webhooks, and see what it stored')
    .version('0.1.0')
    .exitOverride()
    .showHelpAfterError()
    .configureOutput({ outputError: (text, write) => write(paintErr('red', text)) })
    .addHelpText(
      'after',
      '\nEnvironment: WAPIPE_URL, WAPIPE_API_KEY, WAPIPE_SECRET, KAFKA_BROKERS, TOPIC_PREFIX, NO_COLOR.\n',
    );
  startCommand(program);
  sessionsCommand(program);
  triggerCommand(program);
  tailCommand(program);
  readCommands(program);
  debuggingCommands(program);
  kafkaCommands(program);
  example(program, 'wapipe start', 'wapipe trigger demo --burst', 'wapipe tail demo');
  return program;
}
