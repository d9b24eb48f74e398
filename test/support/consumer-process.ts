// A consumer service in a process of its own, so a test can SIGKILL it mid-batch. Usage:
//   tsx test/support/consumer-process.ts <delivery|replies|failures|archive>   (settings from the environment)
// Prints "started" once it consumes.
import { archiveEnv, startArchive } from '@wapipe/archive';
import { parseEnv } from '@wapipe/config';
import { deliveryEnv, startDelivery } from '@wapipe/delivery';
import { failuresEnv, startFailures } from '@wapipe/failures';
import { createLogger, createRegistry } from '@wapipe/observability';
import { repliesEnv, startReplies } from '@wapipe/replies';

// LOG_LEVEL=debug lets a test see where the process is (e.g. a batch journaled, not yet applied).
const level = process.env['LOG_LEVEL'] === 'debug' ? 'debug' : 'warn';
const logger = createLogger({ level, write: (line) => process.stderr.write(line + '\n') });
const context = { logger, registry: createRegistry() };
const service = process.argv[2];

async function start() {
  switch (service) {
    case 'delivery': {
      const env = parseEnv(deliveryEnv);
      return startDelivery(env, context);
    }
    case 'replies': {
      const env = parseEnv(repliesEnv);
      return startReplies(env, context);
    }
    case 'failures': {
      const env = parseEnv(failuresEnv);
      return startFailures(env, context);
    }
    case 'archive': {
      const env = parseEnv(archiveEnv);
      return startArchive(env, context);
    }
    default:
      logger.error('usage: consumer-process.ts <delivery|replies|failures|archive>', { service });
      process.exit(2);
  }
}

const running = await start();
process.stdout.write('started\n');
process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
