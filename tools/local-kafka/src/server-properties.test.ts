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
});
