// server.properties of a KRaft node (broker and controller in one JVM) for development and tests: one node
// alone, or one of a static voter set of several. It is rewritten on every start, so ports can change while
// the data directory is kept.
import { loopbackHost } from './ports.ts';

export interface ServerPropertiesInput {
  port: number;
  controllerPort: number;
  /** Kafka's log directory: the partitions and the KRaft metadata log. */
  logDir: string;
  numPartitions: number;
  /** Default 1. */
  nodeId?: number;
  /** Every voter's `id@host:controllerPort`; default this node alone. */
  voters?: string;
  /** Replicas of internal topics and of topics created without a count: the number of nodes, at most 3. */
  replication?: number;
}

export function renderServerProperties(input: ServerPropertiesInput): string {
  const { port, controllerPort, logDir, numPartitions } = input;
  const nodeId = input.nodeId ?? 1;
  const replication = input.replication ?? 1;
  // One node accepts writes with itself in sync; three keep accepting acks=all writes with one node down.
  const minInSync = replication >= 3 ? 2 : 1;
  const settings: Array<[string, string | number | boolean]> = [
    ['node.id', nodeId],
    ['process.roles', 'broker,controller'],
    ['listeners', `PLAINTEXT://${loopbackHost}:${port},CONTROLLER://${loopbackHost}:${controllerPort}`],
    ['advertised.listeners', `PLAINTEXT://${loopbackHost}:${port}`],
    ['listener.security.protocol.map', 'PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT'],
    ['inter.broker.listener.name', 'PLAINTEXT'],
    ['controller.listener.names', 'CONTROLLER'],
    // A static voter set names no endpoint in the formatted log, so the controller port may change.
    ['controller.quorum.voters', input.voters ?? `${nodeId}@${loopbackHost}:${controllerPort}`],
    ['log.dirs', logDir],
    ['offsets.topic.replication.factor', replication],
    ['transaction.state.log.replication.factor', replication],
    ['transaction.state.log.min.isr', minInSync],
    ['share.coordinator.state.topic.replication.factor', replication],
    ['share.coordinator.state.topic.min.isr', minInSync],
    ['default.replication.factor', replication],
    ['min.insync.replicas', minInSync],
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
