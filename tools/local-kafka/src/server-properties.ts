// server.properties of a single-node KRaft broker (broker and controller in one JVM) for development and
// tests. It is rewritten on every start, so ports can change while the data directory is kept.
import { loopbackHost } from './ports.ts';

export interface ServerPropertiesInput {
  port: number;
  controllerPort: number;
  /** Kafka's log directory: the partitions and the KRaft metadata log. */
  logDir: string;
  numPartitions: number;
}

export function renderServerProperties(input: ServerPropertiesInput): string {
  const { port, controllerPort, logDir, numPartitions } = input;
  const settings: Array<[string, string | number | boolean]> = [
    ['node.id', 1],
    ['process.roles', 'broker,controller'],
    ['listeners', `PLAINTEXT://${loopbackHost}:${port},CONTROLLER://${loopbackHost}:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${loopbackHost}:${port}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    // A static voter set names no endpoint in the formatted log, so the controller port may change.
    ['controller.quorum.voters', `1@${loopbackHost}:${controllerPort}`],
    ['log.dirs', logDir],
    // One node: every internal topic has one replica and accepts writes with one in sync.
    ['offsets.topic.replication.factor', 1],
    ['transaction.state.log.replication.factor', 1],
    ['transaction.state.log.min.isr', 1],
    ['share.coordinator.state.topic.replication.factor', 1],
    ['share.coordinator.state.topic.min.isr', 1],
    ['default.replication.factor', 1],
    ['min.insync.replicas', 1],
    // Fewer internal partitions than the default 50: the first consumer group starts in well under a second.
    ['offsets.topic.num.partitions', 10],
    ['transaction.state.log.num.partitions', 10],
    ['num.partitions', numPartitions],
    // Topics are created explicitly; auto-creation on KRaft races with subscribers (see docs/adr/0003).
    ['auto.create.topics.enable', false],
    ['group.initial.rebalance.delay.ms', 0],
    // kafkajs speaks only the classic group protocol.
    ['group.coordinator.rebalance.protocols', 'classic,consumer'],
    // Sized for a laptop or a 2-core CI machine that also runs the tests.
    ['num.network.threads', 2],
    ['num.io.threads', 4],
    ['num.recovery.threads.per.data.dir', 1],
  ];
  return `${settings.map(([key, value]) => `${key}=${String(value)}`).join('\n')}\n`;
}
