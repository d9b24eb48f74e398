// `wapipe start`: the all-in-one, exactly what `npm start` runs, in a child process that gets the
// terminal. With no API_KEYS it is given a strong key that is stored for the other commands.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import type { Command } from 'commander';
import { Option } from 'commander';
import { example, positiveInt } from '../options.ts';
import { note, paintErr } from '../output.ts';
import { statePath, storeApiKey, storedApiKey } from '../state.ts';

export function startCommand(program: Command): void {
  const command = program
    .command('start')
    .description('run the whole pipeline in one process: local Kafka, embedded ClickHouse, every route')
    .addOption(new Option('--port <port>', 'HTTP port').env('PORT').default('8080'))
    .action(async (options: { port: string }) => {
      const port = positiveInt('--port', options.port, 65_535);
      const env: NodeJS.ProcessEnv = { ...process.env, PORT: String(port) };
      if (!env['API_KEYS']) {
        const url = `http://localhost:${port}`;
        const key = storedApiKey(url) ?? `wk_${randomBytes(24).toString('base64url')}`;
        storeApiKey(url, key);
        env['API_KEYS'] = key;
        note(
          `${paintErr('bold', 'API key')} ${key} (kept in ${statePath()}; the other wapipe commands use it)`,
        );
      }
      const entry = fileURLToPath(new URL('index.ts', import.meta.resolve('@wapipe/all-in-one')));
      const child = spawn(
        process.execPath,
        ['--max-semi-space-size=64', '--import', import.meta.resolve('tsx'), entry],
        { stdio: 'inherit', env },
      );
      // Ctrl-C reaches the child through the process group; a signal sent to this process is passed on.
      // Either way the child drains and commits; this process waits for it and exits with its code.
      for (const signal of ['SIGINT', 'SIGTERM'] as const) {
        process.on(signal, () => child.kill(signal));
      }
      const code = await new Promise<number>((resolve) => {
        child.once('exit', (exitCode) => resolve(exitCode ?? 1));
        child.once('error', () => resolve(1));
      });
      process.exitCode = code;
    });
  example(command, 'wapipe start', 'PORT=9000 wapipe start');
}
