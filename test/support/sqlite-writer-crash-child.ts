/**
 * A process that appends to the embedded store with `writer: 'thread'` from many concurrent callers
 * until it is killed, and records each append the store acknowledged, after the acknowledgement, as a
 * line `<streamId> <eventId> <revision>` in a file (synchronously: a line is on disk before the next
 * append is made). Run as a child process and killed with SIGKILL by the test:
 *
 *   node -r ts-node/register -r tsconfig-paths/register sqlite-writer-crash-child.ts <events.sqlite> <acks.txt> <run> <callers>
 */
import { appendFileSync } from 'node:fs';
import { randomUUID } from 'node:crypto';
import { SqliteEventStore } from '@lead-lifecycle/eventing';

async function main(argv: string[]): Promise<void> {
  const [eventsFile, acksFile, run, callers] = argv;
  const store = new SqliteEventStore({ filename: eventsFile, writer: 'thread' });
  process.stdout.write('ready\n');
  const caller = async (c: number) => {
    const streamId = `crash-${run}-${c}`;
    for (let revision = 0n; ; revision++) {
      const eventId = randomUUID();
      await store.appendToStream(
        streamId,
        [
          {
            eventId,
            type: 'ThingHappened',
            schemaVersion: 1,
            data: { run, caller: c, revision: revision.toString() },
            metadata: { tenantId: 't', occurredAt: '2026-01-01T00:00:00.000Z', actor: 'crash-child', correlationId: eventId, causationId: eventId },
          },
        ],
        revision === 0n ? 'no_stream' : revision - 1n,
      );
      appendFileSync(acksFile, `${streamId} ${eventId} ${revision}\n`);
    }
  };
  await Promise.all(Array.from({ length: Number(callers) }, (_, c) => caller(c)));
}

main(process.argv.slice(2)).catch((error: Error) => {
  process.stderr.write(`${error.stack ?? error.message}\n`);
  process.exit(1);
});
