// docker-compose's `cluster` profile (issue 19): 3 Kafka brokers, ClickHouse Keeper and 2 ClickHouse
// replicas under the services. No Docker runs here, so the file is checked for what Docker would reject or
// silently get wrong: every name it references exists, the quorum, the listeners, the cluster name, the
// macros and the mounted files agree, and the default (single-node) stack is left as it was.
import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
import { z } from 'zod';

const root = new URL('..', import.meta.url).pathname;
const Service = z.object({
  image: z.string().optional(),
  build: z.string().optional(),
  profiles: z.array(z.string()).optional(),
  depends_on: z.record(z.string(), z.object({ condition: z.string() })).optional(),
  environment: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
  volumes: z.array(z.string()).optional(),
  ports: z.array(z.string()).optional(),
  deploy: z.object({ replicas: z.number() }).optional(),
});
const compose = z
  .object({ services: z.record(z.string(), Service), volumes: z.record(z.string(), z.null()) })
  .parse(parse(readFileSync(join(root, 'docker-compose.yml'), 'utf8'), { merge: true }));
const services = compose.services;
const inCluster = Object.entries(services).filter(([, s]) => s.profiles?.includes('cluster'));
const env = (name: string) => services[name]?.environment ?? {};
const xml = (file: string) => readFileSync(join(root, 'deploy/clickhouse-cluster', file), 'utf8');
const tags = (text: string, tag: string) =>
  [...text.matchAll(new RegExp(`<${tag}>([^<]*)</${tag}>`, 'g'))].map((m) => m[1]!);

describe('the cluster profile of docker-compose.yml', () => {
  it('has 3 Kafka brokers, ClickHouse Keeper, 2 ClickHouse replicas and every service', () => {
    const names = inCluster.map(([name]) => name).sort();
    expect(names).toEqual(
      [
        'kafka-1',
        'kafka-2',
        'kafka-3',
        'clickhouse-keeper',
        'clickhouse-1',
        'clickhouse-2',
        ...['ingress', 'delivery', 'replies', 'failures', 'archive', 'api'].map((s) => `cluster-${s}`),
      ].sort(),
    );
  });

  it('references only services and volumes it defines, inside its own profile', () => {
    for (const [name, service] of inCluster) {
      for (const dependency of Object.keys(service.depends_on ?? {})) {
        expect(services[dependency]?.profiles, `${name} depends on ${dependency}`).toContain('cluster');
      }
      for (const volume of service.volumes ?? []) {
        const [source] = volume.split(':');
        if (source!.startsWith('./')) expect(existsSync(join(root, source!)), volume).toBe(true);
        else expect(compose.volumes, volume).toHaveProperty(source!);
      }
    }
  });

  it('forms one KRaft quorum whose brokers advertise their own names', () => {
    const brokers = ['kafka-1', 'kafka-2', 'kafka-3'];
    for (const [i, broker] of brokers.entries()) {
      expect(env(broker)['KAFKA_NODE_ID']).toBe(i + 1);
      expect(env(broker)['KAFKA_ADVERTISED_LISTENERS']).toBe(`PLAINTEXT://${broker}:9092`);
      expect(env(broker)['KAFKA_CONTROLLER_QUORUM_VOTERS']).toBe(
        brokers.map((b, j) => `${j + 1}@${b}:9093`).join(','),
      );
      expect(env(broker)['KAFKA_MIN_INSYNC_REPLICAS']).toBe(2);
      expect(env(broker)['KAFKA_OFFSETS_TOPIC_REPLICATION_FACTOR']).toBe(3);
    }
    // A KRaft cluster id is a base64url UUID: 22 characters.
    expect(String(env('kafka-1')['CLUSTER_ID'])).toMatch(/^[A-Za-z0-9_-]{22}$/);
  });

  it('points every service at all brokers and at a replica of the cluster its migrations name', () => {
    const clusterName = /<remote_servers>\s*<(\w+)>/.exec(xml('cluster.xml'))?.[1];
    const shard = /<shard>([\s\S]*?)<\/shard>/.exec(xml('cluster.xml'))?.[1] ?? '';
    const replicaHosts = tags(shard, 'host');
    expect(replicaHosts.sort()).toEqual(['clickhouse-1', 'clickhouse-2']);
    for (const [name] of inCluster.filter(([n]) => n.startsWith('cluster-'))) {
      expect(env(name)['KAFKA_BROKERS'], name).toBe('kafka-1:9092,kafka-2:9092,kafka-3:9092');
      expect(env(name)['CLICKHOUSE_CLUSTER'], name).toBe(clusterName);
      const host = new URL(String(env(name)['CLICKHOUSE_URL'])).hostname;
      expect(replicaHosts, name).toContain(host);
      expect(env(name)['SERVICE'], name).toBe(name.slice('cluster-'.length));
    }
    expect(services['cluster-delivery']?.deploy?.replicas).toBe(3);
  });

  it('gives each replica its own macros and the Keeper the servers expect', () => {
    const macros = ['replica-1.xml', 'replica-2.xml'].map((file) => tags(xml(file), 'replica')[0]);
    expect(macros).toEqual(['clickhouse-1', 'clickhouse-2']);
    for (const [i, server] of ['clickhouse-1', 'clickhouse-2'].entries()) {
      expect(services[server]?.volumes).toContain(
        `./deploy/clickhouse-cluster/replica-${i + 1}.xml:/etc/clickhouse-server/config.d/replica.xml:ro`,
      );
    }
    const keeper = /<zookeeper>\s*<node><host>([^<]+)<\/host><port>(\d+)<\/port>/.exec(xml('cluster.xml'));
    expect(keeper?.[1]).toBe('clickhouse-keeper');
    expect(tags(xml('keeper.xml'), 'tcp_port')).toEqual([keeper?.[2]]);
  });

  it('leaves the single-node stack as it was: no profile, one broker, one server', () => {
    for (const name of ['kafka', 'clickhouse', 'ingress', 'delivery', 'replies', 'failures', 'api']) {
      expect(services[name]?.profiles, name).toBeUndefined();
    }
    for (const name of ['ingress', 'delivery', 'replies', 'failures', 'api']) {
      expect(env(name)['KAFKA_BROKERS']).toBe('kafka:9092');
      expect(env(name)['CLICKHOUSE_URL']).toBe('http://clickhouse:8123');
      expect(env(name)).not.toHaveProperty('CLICKHOUSE_CLUSTER');
    }
  });
});
