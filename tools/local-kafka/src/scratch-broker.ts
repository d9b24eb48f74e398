import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { findFreePort } from './ports.ts';
import { startLocalBroker } from './start-local-broker.ts';
import type { LocalBroker } from './start-local-broker.ts';

/**
 * A throwaway broker for tests and benchmarks: free ports and a temporary data dir, never 9092 or
 * .data/kafka, which a running all-in-one may hold. stop() also removes the data dir.
 */
export async function startScratchBroker(dirPrefix: string): Promise<LocalBroker> {
  const dataDir = await mkdtemp(join(tmpdir(), dirPrefix));
  try {
    const broker = await startLocalBroker({
      dataDir,
      port: await findFreePort(),
      controllerPort: await findFreePort(),
    });
    return {
      ...broker,
      async stop() {
        await broker.stop();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
