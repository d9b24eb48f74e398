// Webhook secrets: made strong enough for the contract, or read from a file, stdin or a hidden prompt,
// never from an argument that `ps` and shell history would keep, and never echoed.
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { CliError, UsageError } from './errors.ts';
import type { SampleProvider } from './trigger-events.ts';

/** Meta: an app-secret-like 32 hex characters; ChatSend: a Standard Webhooks key of 32 random bytes. */
export function generateSecret(provider: SampleProvider): string {
  return provider === 'meta'
    ? randomBytes(16).toString('hex')
    : `whsec_${randomBytes(32).toString('base64')}`;
}

/** The contract's rule (a weaker secret is a 400), checked first so the message can say what to do. */
export function checkSecret(provider: SampleProvider, secret: string): void {
  if (provider === 'meta' && secret.length < 16) {
    throw new UsageError('a Meta app secret has at least 16 characters');
  }
  if (provider === 'chatsend') {
    const match = /^whsec_([A-Za-z0-9+/]+={0,2})$/.exec(secret);
    if (!match || Buffer.from(match[1]!, 'base64').length < 24) {
      throw new UsageError('a ChatSend secret is whsec_<base64 of at least 24 bytes>');
    }
  }
}

async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let value = '';
    const done = (error?: Error) => {
      stdin.setRawMode(false);
      stdin.pause();
      stdin.off('data', onData);
      process.stderr.write('\n');
      if (error) reject(error);
      else resolve(value);
    };
    const onData = (chunk: string) => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') return done();
        if (char === '\u0003') return done(new CliError('cancelled'));
        if (char === '\u007f' || char === '\b') value = value.slice(0, -1);
        else value += char;
      }
    };
    stdin.on('data', onData);
  });
}

/** `--secret-file PATH` (`-` for stdin), else stdin when it is not a terminal, else a hidden prompt. */
export async function readSecret(secretFile: string | undefined, what: string): Promise<string> {
  let secret: string;
  if (secretFile === '-' || (secretFile === undefined && !process.stdin.isTTY)) secret = await readStdin();
  else if (secretFile !== undefined) {
    try {
      secret = await readFile(secretFile, 'utf8');
    } catch (error) {
      throw new UsageError(
        `cannot read --secret-file ${secretFile}: ${(error as NodeJS.ErrnoException).code}`,
      );
    }
  } else secret = await promptHidden(`${what}: `);
  secret = secret.trim();
  if (!secret) throw new UsageError(`no ${what} given: pass --secret-file, pipe it on stdin, or type it`);
  return secret;
}
