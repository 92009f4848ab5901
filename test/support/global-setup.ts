/**
 * Starts the servers the integration and end-to-end tiers need, once for the whole run:
 *  - Kafka: KAFKA_BROKERS if set, else testcontainers when Docker answers, else Apache Kafka's own jars
 *    from Maven Central in KRaft mode on a free local port (test/support/kafka). The brokers are passed
 *    to the tests in KAFKA_BROKERS; when no path works, KAFKA_UNAVAILABLE_REASON says why and the Kafka
 *    suites fail loudly with it.
 *  - EventStoreDB: EVENTSTORE_CONNECTION_STRING if set, else testcontainers when Docker answers. Without
 *    either, the suites run through the real client against the protocol test server and say so.
 */
import { provideKafka } from './kafka/kafka-test-broker';
import { provideEventStoreDb } from './esdb/provide-eventstoredb';

type Stoppable = { stop(): Promise<void> };
const started: Stoppable[] = [];
(globalThis as { __leadLifecycleServers?: Stoppable[] }).__leadLifecycleServers = started;

function banner(lines: string[]): void {
  const width = Math.max(...lines.map((l) => l.length));
  const rule = '!'.repeat(width + 4);
  console.warn(['', rule, ...lines.map((l) => `! ${l.padEnd(width)} !`), rule, ''].join('\n'));
}

/** Projects named after --selectProjects, or undefined when all run. */
function selectedProjects(argv: string[]): string[] | undefined {
  const at = argv.indexOf('--selectProjects');
  if (at < 0) return undefined;
  const names: string[] = [];
  for (const arg of argv.slice(at + 1)) {
    if (arg.startsWith('-')) break;
    names.push(arg);
  }
  return names;
}

export default async function globalSetup(): Promise<void> {
  const selected = selectedProjects(process.argv);
  if (selected && !selected.some((p) => p === 'integration' || p === 'e2e')) return;

  const kafka = await provideKafka((line) => process.stdout.write(`[global-setup] ${line}\n`));
  if (kafka.available) {
    process.env.KAFKA_BROKERS = kafka.brokers.join(',');
    process.env.KAFKA_TEST_MODE = kafka.mode;
    started.push(kafka);
    process.stdout.write(`[global-setup] Kafka (${kafka.mode}) at ${process.env.KAFKA_BROKERS}\n`);
  } else {
    process.env.KAFKA_UNAVAILABLE_REASON = kafka.reason;
    banner(['KAFKA TESTS CANNOT RUN: no broker could be provided.', kafka.reason]);
  }

  const esdb = await provideEventStoreDb({ realOnly: true });
  if (esdb.available) {
    process.env.EVENTSTORE_CONNECTION_STRING = esdb.connectionString;
    started.push(esdb);
    process.stdout.write(`[global-setup] EventStoreDB (${esdb.mode}) at ${esdb.connectionString}\n`);
  } else {
    banner([
      'NO REAL EVENTSTOREDB: the EventStoreDB suites run through @eventstore/db-client against',
      'the in-process protocol test server (test/support/esdb), a test double of the protocol, not a database.',
      esdb.reason,
    ]);
  }
}
