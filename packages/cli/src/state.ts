// What the command keeps between runs, per wapipe URL: the API key `wapipe start` made, and each
// session's webhook secret that `wapipe trigger` made, so the next trigger signs with it. One JSON file,
// mode 0600 in a 0700 directory: $WAPIPE_CONFIG_DIR, else $XDG_CONFIG_HOME/wapipe, else ~/.config/wapipe.
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { homedir } from 'node:os';
import { join } from 'node:path';
import type { SampleProvider } from './trigger-events.ts';

export interface StoredSession {
  provider: SampleProvider;
  secret: string;
  /** The last message `trigger` sent a status for, so `trigger demo delivered` follows `trigger demo sent`. */
  lastMessage?: { providerMessageId: string; recipient: string };
}

interface TargetState {
  apiKey?: string;
  sessions?: Record<string, StoredSession>;
}

interface StateFile {
  version: 1;
  targets: Record<string, TargetState>;
}

export function stateDir(): string {
  const env = process.env;
  if (env['WAPIPE_CONFIG_DIR']) return env['WAPIPE_CONFIG_DIR'];
  return join(env['XDG_CONFIG_HOME'] || join(homedir(), '.config'), 'wapipe');
}

export const statePath = (): string => join(stateDir(), 'state.json');

/** localhost, 127.0.0.1 and [::1] are one machine: the same target. */
function targetKey(url: string): string {
  const parsed = new URL(url);
  const host = ['127.0.0.1', '[::1]', '0.0.0.0'].includes(parsed.hostname) ? 'localhost' : parsed.hostname;
  return `${parsed.protocol}//${host}:${parsed.port || (parsed.protocol === 'https:' ? '443' : '80')}`;
}

function load(): StateFile {
  try {
    const parsed = JSON.parse(readFileSync(statePath(), 'utf8')) as StateFile;
    if (parsed.version === 1 && typeof parsed.targets === 'object') return parsed;
  } catch {
    // Missing or unreadable: start afresh (it holds only what the command can make again).
  }
  return { version: 1, targets: {} };
}

function save(state: StateFile): void {
  mkdirSync(stateDir(), { recursive: true, mode: 0o700 });
  const tmp = `${statePath()}.${process.pid}.tmp`;
  writeFileSync(tmp, JSON.stringify(state, null, 2) + '\n', { mode: 0o600 });
  renameSync(tmp, statePath());
}

function update(url: string, change: (target: TargetState) => void): void {
  const state = load();
  const key = targetKey(url);
  const target = state.targets[key] ?? {};
  change(target);
  state.targets[key] = target;
  save(state);
}

export const storedApiKey = (url: string): string | undefined => load().targets[targetKey(url)]?.apiKey;

export function storeApiKey(url: string, apiKey: string): void {
  update(url, (t) => (t.apiKey = apiKey));
}

export const storedSession = (url: string, sessionId: string): StoredSession | undefined =>
  load().targets[targetKey(url)]?.sessions?.[sessionId];

export function storeSession(url: string, sessionId: string, session: StoredSession): void {
  update(url, (t) => (t.sessions = { ...t.sessions, [sessionId]: session }));
}
