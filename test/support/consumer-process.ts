// A consumer service in a process of its own, so a test can SIGKILL it mid-batch. Usage:
//   tsx test/support/consumer-process.ts delivery   (settings from the environment, as in production)
import { deliveryEnv, startDelivery } from '@wapipe/delivery';
import { createLogger, createRegistry } from '@wapipe/observability';

const service = process.argv[2];
const logger = createLogger({ level: 'warn', write: (line) => process.stderr.write(line + '\n') });
if (service !== 'delivery') {
  logger.error('unknown service', { service });
  process.exit(2);
}
const env = deliveryEnv.parse(process.env);
const running = await startDelivery(
  { ...env, KAFKA_BROKERS: env.KAFKA_BROKERS! },
  { logger, registry: createRegistry() },
);
process.stdout.write('started\n');
process.on('SIGTERM', () => void running.stop().then(() => process.exit(0)));
