// One broker per data directory. Kafka 4.1 does not lock its KRaft metadata directory early enough: a
// second broker on the same directory was seen reading the first one's log as it was being written
// ("Record is corrupt") before it died. So the lock is taken here, before any JVM starts: a file created
// exclusively, naming the node process that holds it and, once started, the broker's pid.
import { existsSync, readFileSync } from 'node:fs';
import { mkdir, rm, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { LocalBrokerError } from './errors.ts';

interface LockRecord {
  /** The node process that started the broker. */
  owner: number;
  /** The broker JVM, once spawned. */
  broker?: number;
  port: number;
}

export interface DataDirLock {
  recordBroker(pid: number): Promise<void>;
  release(): Promise<void>;
}

export async function lockDataDir(dataDir: string, port: number): Promise<DataDirLock> {
  await mkdir(dataDir, { recursive: true });
  const lockFile = join(dataDir, 'broker.pid');
  const write = (record: LockRecord, flag: 'w' | 'wx') =>
    writeFile(lockFile, JSON.stringify(record), { flag });
  const record: LockRecord = { owner: process.pid, port };

  for (let attempt = 0; ; attempt++) {
    try {
      await write(record, 'wx');
      break;
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST' || attempt > 0) throw error;
    }
    const held = readRecord(lockFile);
    if (held !== undefined && isHeld(held)) {
      const who =
        held.broker === undefined
          ? `process ${held.owner} is starting a broker`
          : `broker pid ${held.broker}`;
      throw new LocalBrokerError(
        'LOCAL_BROKER_DATA_DIR_IN_USE',
        `cannot start the local Kafka broker: another broker (${who}, port ${held.port}) is already running ` +
          `on the data dir ${dataDir}. Use that broker, stop it, or pass another data dir.`,
        { retry: false },
      );
    }
    await rm(lockFile, { force: true }); // left by a process that is gone
  }

  return {
    recordBroker: (pid) => write({ ...record, broker: pid }, 'w'),
    release: () => rm(lockFile, { force: true }),
  };
}

function readRecord(lockFile: string): LockRecord | undefined {
  try {
    return JSON.parse(readFileSync(lockFile, 'utf8')) as LockRecord;
  } catch {
    return undefined;
  }
}

function isHeld(record: LockRecord): boolean {
  if (record.broker !== undefined) return isAlive(record.broker, 'kafka.Kafka');
  return record.owner !== process.pid && isAlive(record.owner, undefined);
}

/** Alive, and on Linux also running `mustInclude` in its command line, so a recycled pid is not mistaken. */
function isAlive(pid: number, mustInclude: string | undefined): boolean {
  if (!Number.isInteger(pid) || pid <= 0) return false;
  try {
    process.kill(pid, 0);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EPERM') return false;
  }
  const cmdline = `/proc/${pid}/cmdline`;
  if (mustInclude === undefined || !existsSync('/proc/self')) return true;
  return existsSync(cmdline) && readFileSync(cmdline, 'utf8').includes(mustInclude);
}
