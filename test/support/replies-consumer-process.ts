// The replies consumer in a process of its own, so a test can SIGKILL it mid-batch. Settings come from
// the environment, as in production. Prints "started" once it consumes.
import { parseEnv } from '@wapipe/config';
import { createLogger, createRegistry } from '@wapipe/observability';
import { repliesEnv, startReplies } from '@wapipe/replies';

const logger = createLogger({ level: 'warn', write: (line) => process.stderr.write(line + '\n') });
const env = parseEnv(repliesEnv);
const running = await startReplies({ ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! }, { logger, registry: createRegistry() });
process.stdout.write('started\n');
process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
