import { describe, expect, test } from 'vitest';
import { renderServerProperties } from './server-properties.ts';

function parse(text: string): Map<string, string> {
  return new Map(
    text
      .trim()
      .split('\n')
      .map((line) => line.split('=', 2) as [string, string]),
  );
}

describe('renderServerProperties', () => {
  const properties = parse(
    renderServerProperties({ port: 19092, controllerPort: 19093, logDir: '/tmp/k/data', numPartitions: 3 }),
  );

  test('listens on loopback only, with the controller as the single static voter', () => {
    expect(properties.get('listeners')).toBe('PLAINTEXT://127.0.0.1:19092,CONTROLLER://127.0.0.1:19093');
    expect(properties.get('advertised.listeners')).toBe('PLAINTEXT://127.0.0.1:19092');
    expect(properties.get('controller.quorum.voters')).toBe('1@127.0.0.1:19093');
    expect(properties.get('process.roles')).toBe('broker,controller');
  });

  test('sizes every internal topic for one node and leaves topic creation to the application', () => {
    expect(properties.get('offsets.topic.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.replication.factor')).toBe('1');
    expect(properties.get('transaction.state.log.min.isr')).toBe('1');
    expect(properties.get('auto.create.topics.enable')).toBe('false');
    expect(properties.get('group.initial.rebalance.delay.ms')).toBe('0');
    expect(properties.get('group.coordinator.rebalance.protocols')).toContain('classic');
  });

  test('names every voter of a 3-node cluster and replicates internal topics 3 times with 2 in sync', () => {
    const node = parse(
      renderServerProperties({
        port: 19094,
        controllerPort: 19097,
        logDir: '/tmp/k/node-2/data',
        numPartitions: 3,
        nodeId: 2,
        voters: '1@127.0.0.1:19095,2@127.0.0.1:19096,3@127.0.0.1:19097',
        replication: 3,
      }),
    );
    expect(node.get('node.id')).toBe('2');
    expect(node.get('controller.quorum.voters')).toBe(
      '1@127.0.0.1:19095,2@127.0.0.1:19096,3@127.0.0.1:19097',
    );
    expect(node.get('offsets.topic.replication.factor')).toBe('3');
    expect(node.get('transaction.state.log.min.isr')).toBe('2');
    expect(node.get('default.replication.factor')).toBe('3');
    expect(node.get('min.insync.replicas')).toBe('2');
  });
});
