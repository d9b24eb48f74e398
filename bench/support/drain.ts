// Draining a consumer group over a topic produced up front, as bench/delivery.ts and bench/raw.ts measure
// their consumers: lag sampled every 250 ms, "sustained" from the first commit to lag 0 (start-up
// excluded), and the process's CPU time, which a shared machine disturbs far less than wall time.
import type { KafkaConnection } from '@wapipe/kafka';

export interface Drained {
  /** From start to lag 0. */
  seconds: number;
  /** From the first commit to lag 0. */
  sustainedSeconds: number;
  /** Share of the records still uncommitted at the first commit. */
  sustainedShare: number;
  /** [seconds since start, lag in records], one per poll. */
  lagSamples: [number, bigint][];
  /** CPU time of this process (all threads, the embedded engine's included) from start to lag 0, in µs. */
  cpuMicros: number;
}

/** Waits for the group to commit everything, sampling its lag (in records) every 250 ms. */
export async function drain(
  kafka: KafkaConnection,
  group: string,
  topic: string,
  label: string,
  cpuSince: NodeJS.CpuUsage = process.cpuUsage(),
): Promise<Drained> {
  const started = performance.now();
  const total = [...(await kafka.endOffsets(topic)).values()].reduce((n, o) => n + o, 0n);
  let firstCommit: { at: number; lag: bigint } | undefined;
  let lastPrint = started;
  const lagSamples: [number, bigint][] = [];
  for (;;) {
    const lag = await kafka.groupLag(group, topic).catch(() => total);
    const now = performance.now();
    lagSamples.push([(now - started) / 1000, lag]);
    if (!firstCommit && lag < total) firstCommit = { at: now, lag };
    if (lag === 0n) {
      const first = firstCommit ?? { at: now, lag: 0n };
      const cpu = process.cpuUsage(cpuSince);
      return {
        seconds: (now - started) / 1000,
        sustainedSeconds: (now - first.at) / 1000,
        sustainedShare: Number(first.lag) / Number(total),
        lagSamples,
        cpuMicros: cpu.user + cpu.system,
      };
    }
    if (now - lastPrint > 2000) {
      process.stdout.write(`  ${label}: consumer lag ${lag} of ${total} records\n`);
      lastPrint = now;
    }
    await new Promise((r) => setTimeout(r, 250));
  }
}

export const rate = (items: number, seconds: number) => Math.round(items / seconds);

/**
 * Items per second from the first commit to lag 0 (the share of items left at the first commit); the
 * overall rate when one commit took everything (a stream too short to measure a sustained rate).
 */
export const sustainedRate = (items: number, run: Drained) =>
  run.sustainedShare > 0 && run.sustainedSeconds > 0
    ? rate(items * run.sustainedShare, run.sustainedSeconds)
    : rate(items, run.seconds);

/** The lag samples about 3 s apart, and the last one. */
export function everyFewSeconds(samples: [number, bigint][]): string {
  const shown: [number, bigint][] = [];
  for (const sample of samples)
    if (shown.length === 0 || sample[0] - shown.at(-1)![0] >= 3) shown.push(sample);
  if (shown.at(-1) !== samples.at(-1)) shown.push(samples.at(-1)!);
  return shown.map(([at, lag]) => `${lag}@${at.toFixed(0)}s`).join(' → ');
}
