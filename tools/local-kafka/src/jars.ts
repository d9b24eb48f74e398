// Provisions the broker's jars with Maven into a git-ignored cache, once: a later call finds the marker
// written after a complete copy and never runs mvn again.
import { spawn } from 'node:child_process';
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, readdir, readFile, rename, rm, stat, writeFile } from 'node:fs/promises';
import { delimiter, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { LocalBrokerError } from './errors.ts';

const here = fileURLToPath(new URL('.', import.meta.url));
const pomPath = join(here, 'pom.xml');
const launcherSource = join(here, 'ExitWithParent.java');

/** Where the repository starts: three levels above tools/local-kafka/src/. */
export const repoRoot = fileURLToPath(new URL('../../../', import.meta.url));

export type ProgressReporter = (line: string) => void;
export const printProgress: ProgressReporter = (line) => process.stderr.write(`${line}\n`);

/** Jars for one Kafka version, plus the tiny launcher that ties the broker's life to its parent's. */
export interface KafkaJars {
  version: string;
  libsDir: string;
  /** Java class path: every jar in libsDir, and the launcher's classes when javac could build them. */
  classpath: string;
  /** Main class wrapper that exits with the parent process; undefined when no javac was found. */
  launcher: string | undefined;
}

export interface KafkaJarsOptions {
  /** Root of the jar cache. Default: env KAFKA_CACHE_DIR, else <repo>/.cache/kafka. */
  cacheDir?: string;
  onProgress?: ProgressReporter;
}

interface FetchMarker {
  version: string;
  pomSha256: string;
  jars: number;
}

/** The Kafka version pinned in pom.xml (its `kafka.version` property), the only place it is written. */
export function pinnedKafkaVersion(): string {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(readFileSync(pomPath, 'utf8'))?.[1];
  if (version === undefined) throw new Error(`${pomPath} has no <kafka.version> property`);
  return version.trim();
}

export function defaultKafkaCacheDir(): string {
  const fromEnv = process.env['KAFKA_CACHE_DIR'];
  return fromEnv === undefined || fromEnv === '' ? join(repoRoot, '.cache', 'kafka') : resolve(fromEnv);
}

/** Returns the cached jars, running `mvn dependency:copy-dependencies` first if they are not complete. */
export async function ensureKafkaJars(options: KafkaJarsOptions = {}): Promise<KafkaJars> {
  const onProgress = options.onProgress ?? printProgress;
  const cacheDir = options.cacheDir ?? defaultKafkaCacheDir();
  const version = pinnedKafkaVersion();
  const versionDir = join(cacheDir, version);
  const libsDir = join(versionDir, 'libs');
  const markerPath = join(versionDir, 'fetched.json');
  const pomSha256 = sha256(await readFile(pomPath));

  if (!(await isCompleteFetch(markerPath, libsDir, pomSha256))) {
    onProgress(`fetching Kafka ${version} jars with mvn into ${libsDir} … (first run only)`);
    const started = performance.now();
    const jars = await copyDependencies(versionDir, libsDir);
    const marker: FetchMarker = { version, pomSha256, jars };
    await writeFile(markerPath, `${JSON.stringify(marker, null, 2)}\n`);
    const seconds = ((performance.now() - started) / 1000).toFixed(1);
    onProgress(`fetched ${jars} jars (${await sizeInMegabytes(libsDir)} MB) in ${seconds} s`);
  }

  const launcherDir = await buildLauncher(cacheDir, onProgress);
  const classpath = [join(libsDir, '*'), ...(launcherDir === undefined ? [] : [launcherDir])].join(delimiter);
  return { version, libsDir, classpath, launcher: launcherDir === undefined ? undefined : 'ExitWithParent' };
}

async function isCompleteFetch(markerPath: string, libsDir: string, pomSha256: string): Promise<boolean> {
  if (!existsSync(markerPath) || !existsSync(libsDir)) return false;
  try {
    const marker = JSON.parse(await readFile(markerPath, 'utf8')) as Partial<FetchMarker>;
    return marker.pomSha256 === pomSha256;
  } catch {
    return false;
  }
}

// Copies into a sibling directory and renames it into place, so an interrupted fetch never looks complete.
async function copyDependencies(versionDir: string, libsDir: string): Promise<number> {
  const partialDir = `${libsDir}.partial-${process.pid}`;
  await mkdir(versionDir, { recursive: true });
  await rm(partialDir, { recursive: true, force: true });
  const args = [
    '-B',
    '-q',
    '--no-transfer-progress',
    '-Dstyle.color=never',
    '-f',
    pomPath,
    'dependency:copy-dependencies',
    `-DoutputDirectory=${partialDir}`,
    '-DincludeScope=runtime',
  ];
  const result = await run(mvnCommand(), args);
  if (result.error !== undefined) {
    await rm(partialDir, { recursive: true, force: true });
    throw new LocalBrokerError(
      'LOCAL_BROKER_MAVEN_MISSING',
      `cannot run "${mvnCommand()}" (${result.error.message}). The local Kafka broker needs Maven 3.6+ and ` +
        'a Java 17+ JDK to fetch its jars: install them (Debian/Ubuntu: apt-get install maven openjdk-17-jdk-headless), ' +
        'or set KAFKA_BROKERS to use a broker you already run.',
      { retry: false, cause: result.error },
    );
  }
  if (result.exitCode !== 0) {
    await rm(partialDir, { recursive: true, force: true });
    throw new LocalBrokerError(
      'LOCAL_BROKER_FETCH_FAILED',
      `mvn could not fetch the Kafka jars (exit code ${result.exitCode}; its output is below). ` +
        `Command: mvn ${args.join(' ')}\n${lastLines(result.output, 30)}`,
      { retry: true },
    );
  }
  const jars = (await readdir(partialDir)).filter((name) => name.endsWith('.jar')).length;
  await rm(libsDir, { recursive: true, force: true });
  await rename(partialDir, libsDir);
  return jars;
}

// Compiled once per source version (the hash is in the directory name); without javac the broker still
// runs, but then only a normal exit of the parent stops it.
async function buildLauncher(cacheDir: string, onProgress: ProgressReporter): Promise<string | undefined> {
  const source = await readFile(launcherSource);
  const classesDir = join(cacheDir, `launcher-${sha256(source).slice(0, 12)}`);
  if (existsSync(join(classesDir, 'ExitWithParent.class'))) return classesDir;
  const partialDir = `${classesDir}.partial-${process.pid}`;
  await mkdir(partialDir, { recursive: true });
  const result = await run(javaTool('javac'), ['-d', partialDir, launcherSource]);
  if (result.error !== undefined || result.exitCode !== 0) {
    await rm(partialDir, { recursive: true, force: true });
    onProgress(
      `warning: javac failed (${result.error?.message ?? lastLines(result.output, 5)}); the broker will stop ` +
        'when this process exits, but not if it is killed. Install a JDK to fix this.',
    );
    return undefined;
  }
  await rm(classesDir, { recursive: true, force: true });
  await rename(partialDir, classesDir);
  return classesDir;
}

/** `java`, `javac`: from JAVA_HOME when it is set, else from PATH. */
export function javaTool(name: 'java' | 'javac'): string {
  const javaHome = process.env['JAVA_HOME'];
  return javaHome === undefined || javaHome === '' ? name : join(javaHome, 'bin', name);
}

function mvnCommand(): string {
  return process.platform === 'win32' ? 'mvn.cmd' : 'mvn';
}

interface RunResult {
  exitCode: number | null;
  output: string;
  error: Error | undefined;
}

/** Runs a command to completion, keeping its combined output for error messages. */
export function run(command: string, args: string[]): Promise<RunResult> {
  return new Promise((done) => {
    const chunks: Buffer[] = [];
    const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
    child.stdout.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.stderr.on('data', (chunk: Buffer) => chunks.push(chunk));
    child.once('error', (error) => done({ exitCode: null, output: '', error }));
    child.once('close', (exitCode) =>
      done({ exitCode, output: Buffer.concat(chunks).toString('utf8'), error: undefined }),
    );
  });
}

// Maven 3.8 colours its output even with -B; the escapes only clutter an error message.
const ansiEscape = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

export function lastLines(text: string, count: number): string {
  return text.replace(ansiEscape, '').trimEnd().split('\n').slice(-count).join('\n');
}

function sha256(data: Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

async function sizeInMegabytes(dir: string): Promise<number> {
  let bytes = 0;
  for (const name of await readdir(dir)) bytes += (await stat(join(dir, name))).size;
  return Math.round(bytes / 1024 / 1024);
}
