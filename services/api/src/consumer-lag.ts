// Each consumer's lag in the raw topic and its dead letters, read from Kafka's committed offsets (the same
// numbers `wapipe redrive` and the consumers' lag metric use), for the console's Consumers page. Answers
// are kept for CACHE_MS so that several open consoles refreshing cost Kafka a few admin requests a second.
import { consumerNames } from '@wapipe/kafka';
import type { ConsumerName, KafkaConnection, TopicCatalog } from '@wapipe/kafka';

const CACHE_MS = 2_000;

export interface ConsumerState {
  name: ConsumerName;
  group: string;
  /** Records of the raw topic the group has not committed yet. */
  lag: number;
  deadLetterTopic: string;
  /** Dead letters ever written (the dead-letter topic's end offsets). */
  deadLetters: number;
  /** Dead letters not yet copied back by redrive. */
  deadLettersWaiting: number;
  /** What to run to copy the waiting dead letters back once their cause is fixed. */
  redriveCommand: string;
  listCommand: string;
}

export interface ConsumerStates {
  checkedAt: string;
  consumers: ConsumerState[];
}

export type ConsumerStateReader = () => Promise<ConsumerStates>;

const sum = (offsets: Map<number, bigint>) => [...offsets.values()].reduce((a, b) => a + b, 0n);

/** `groups`: the consumers run with their own CONSUMER_GROUP (CONSUMER_GROUPS); the others use the default. */
export function kafkaConsumerStates(
  kafka: KafkaConnection,
  topics: TopicCatalog,
  groups: Partial<Record<ConsumerName, string>> = {},
): ConsumerStateReader {
  // The CLI's default prefix is wapipe; any other one must be named on its command line.
  const prefixFlag = topics.prefix === 'wapipe' ? '' : ` --prefix ${topics.prefix}`;
  const readOne = async (name: ConsumerName): Promise<ConsumerState> => {
    const group = groups[name] ?? topics.consumerGroup(name);
    const deadLetterTopic = topics.deadLetter(name);
    const [lag, ends, waiting] = await Promise.all([
      kafka.groupLag(group, topics.raw),
      kafka.endOffsets(deadLetterTopic),
      kafka.groupLag(topics.redriveGroup(name), deadLetterTopic),
    ]);
    return {
      name,
      group,
      lag: Number(lag),
      deadLetterTopic,
      deadLetters: Number(sum(ends)),
      deadLettersWaiting: Number(waiting),
      redriveCommand: `wapipe redrive ${name}${prefixFlag}`,
      listCommand: `wapipe redrive ${name} --list${prefixFlag}`,
    };
  };
  let cached: { at: number; answer: Promise<ConsumerStates> } | undefined;
  return () => {
    if (cached && Date.now() - cached.at < CACHE_MS) return cached.answer;
    const answer = Promise.all(consumerNames.map(readOne)).then((consumers) => ({
      checkedAt: new Date().toISOString(),
      consumers,
    }));
    cached = { at: Date.now(), answer };
    // A failed read is not kept: the next request asks Kafka again.
    answer.catch(() => {
      if (cached?.answer === answer) cached = undefined;
    });
    return answer;
  };
}
