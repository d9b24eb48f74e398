// Reads what the broker wrote before it failed and names the causes a user can fix.
import { open, stat } from 'node:fs/promises';
import type { LocalBrokerErrorCode } from './errors.ts';

/** The last `lines` lines of a file ('' when it does not exist), reading at most its last 64 KB. */
export async function readLogTail(path: string, lines = 40): Promise<string> {
  const size = await stat(path).then(
    (s) => s.size,
    () => -1,
  );
  if (size <= 0) return '';
  const length = Math.min(size, 64 * 1024);
  const file = await open(path, 'r');
  try {
    const buffer = Buffer.alloc(length);
    await file.read(buffer, 0, length, size - length);
    return buffer.toString('utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } finally {
    await file.close();
  }
}

interface KnownFailure {
  pattern: RegExp;
  code: LocalBrokerErrorCode;
  explain: string;
}

const knownFailures: KnownFailure[] = [
  {
    pattern: /Address already in use|failed to bind/i,
    code: 'LOCAL_BROKER_PORT_IN_USE',
    explain: 'a port of the broker is already in use by another process (another broker?)',
  },
  {
    pattern: /Failed to acquire lock on file \.lock/,
    code: 'LOCAL_BROKER_DATA_DIR_IN_USE',
    explain: 'another Kafka process is already using this data directory',
  },
  {
    pattern: /UnsupportedClassVersionError/,
    code: 'LOCAL_BROKER_JAVA_MISSING',
    explain: 'this Java is too old for this Kafka version: install Java 17 or newer (or set JAVA_HOME to it)',
  },
  {
    pattern: /Invalid cluster\.id|not formatted|No `meta\.properties` found/i,
    code: 'LOCAL_BROKER_FORMAT_FAILED',
    explain:
      'the data directory is not a valid KRaft log directory for this broker; remove it to start afresh',
  },
];

/** The first known cause found in the broker's output, if any. */
export function diagnoseBrokerLog(text: string): KnownFailure | undefined {
  return knownFailures.find((failure) => failure.pattern.test(text));
}
