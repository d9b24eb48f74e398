// Stress for issue 12: a rare duplicate appeared only under SIGKILL (a part committed, its dedup token not
// yet recorded). Runs each test that kills a process holding ClickHouse data N times, one run at a time,
// and prints the duplicates and losses its assertions reported, the other failures, and the time taken.
// Not part of `npm test`: 20 runs of the three files take the machine for a long while.
//
//   npx tsx bench/stress-sigkill.ts [N]   (N default 20; STRESS_TESTS=a.test.ts,b.test.ts to choose files)
import { spawn } from 'node:child_process';

const runs = Number(process.argv[2] ?? process.env['STRESS_RUNS'] ?? 20);
if (!Number.isInteger(runs) || runs < 1) {
  console.error(`N must be a whole number of runs, got ${process.argv[2]}`);
  process.exit(2);
}
const files = (
  process.env['STRESS_TESTS'] ??
  // The consumer killed with its embedded engine (twice each), and a ClickHouse server killed mid-stream.
  [
    'services/delivery/test/delivery-crash.test.ts',
    'services/replies/test/replies-sigkill.test.ts',
    'services/delivery/test/delivery-outage.test.ts',
    'services/archive/test/archive-sigkill.test.ts',
  ].join(',')
)
  .split(',')
  .map((f) => f.trim())
  .filter(Boolean);

type Outcome = 'passed' | 'duplicate' | 'loss' | 'other';

interface Run {
  file: string;
  outcome: Outcome;
  seconds: number;
  /** The first assertion failure, as vitest printed it. */
  detail: string;
}

const stripColors = (text: string) => text.replace(/\x1b\[[0-9;]*m/g, '');

/**
 * What a failed run's first assertion says: a count above its truth (or a label saying so) is a duplicate,
 * one below it a loss; anything else (a timeout, a crash) is "other". Heuristic on vitest's output.
 */
function classify(output: string): { outcome: Exclude<Outcome, 'passed'>; detail: string } {
  const text = stripColors(output);
  const start = text.search(/AssertionError|Error:/);
  const detail =
    start < 0
      ? text.split('\n').slice(-15).join('\n')
      : text.slice(start).split('\n').slice(0, 15).join('\n');
  if (/more than once|twice|doubled/i.test(detail)) return { outcome: 'duplicate', detail };
  const counts = /expected (-?\d+) to (?:be|equal) (-?\d+)/.exec(detail);
  if (counts) {
    const [got, want] = [Number(counts[1]), Number(counts[2])];
    return { outcome: got > want ? 'duplicate' : 'loss', detail };
  }
  // A { n, u } (rows, distinct ids) pair where the rows outnumber the ids.
  const received = /\+\s+"n":\s*"?(\d+)"?[\s\S]*?"u":\s*"?(\d+)"?/.exec(detail);
  if (received && Number(received[1]) > Number(received[2])) return { outcome: 'duplicate', detail };
  if (/missing|lost|not found/i.test(detail)) return { outcome: 'loss', detail };
  return { outcome: 'other', detail };
}

function runOnce(file: string): Promise<Run> {
  const started = performance.now();
  return new Promise((resolve) => {
    const child = spawn('npx', ['vitest', 'run', file], { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk.toString()));
    child.on('close', (code) => {
      const seconds = Math.round((performance.now() - started) / 100) / 10;
      if (code === 0) resolve({ file, outcome: 'passed', seconds, detail: '' });
      else resolve({ file, seconds, ...classify(output) });
    });
  });
}

async function main() {
  const started = performance.now();
  const all: Run[] = [];
  console.log(`${runs} run(s) of each of: ${files.join(', ')}`);
  for (const file of files) {
    for (let i = 1; i <= runs; i++) {
      const run = await runOnce(file);
      all.push(run);
      console.log(`  ${file} ${i}/${runs}: ${run.outcome} (${run.seconds} s)`);
      if (run.detail) console.log(run.detail.replace(/^/gm, '      '));
    }
  }
  console.log('\nfile                              runs  passed  duplicates  losses  other  seconds');
  for (const file of files) {
    const mine = all.filter((r) => r.file === file);
    const n = (o: Outcome) => mine.filter((r) => r.outcome === o).length;
    const seconds = Math.round(mine.reduce((s, r) => s + r.seconds, 0));
    console.log(
      `${file.padEnd(34)}${String(mine.length).padStart(4)}${String(n('passed')).padStart(8)}` +
        `${String(n('duplicate')).padStart(12)}${String(n('loss')).padStart(8)}${String(n('other')).padStart(7)}` +
        `${String(seconds).padStart(9)}`,
    );
  }
  const failed = all.filter((r) => r.outcome !== 'passed');
  console.log(
    `\ntotal: ${all.length} runs, ${failed.filter((r) => r.outcome === 'duplicate').length} with duplicates, ` +
      `${failed.filter((r) => r.outcome === 'loss').length} with losses, ` +
      `${failed.filter((r) => r.outcome === 'other').length} other failures, ` +
      `${Math.round((performance.now() - started) / 1000)} s`,
  );
  process.exitCode = failed.length === 0 ? 0 : 1;
}

await main();
