/**
 * The writer thread of the embedded store (`writer: 'thread'`): its own connection to the store's file,
 * on which it writes whatever appends arrived while it was busy as one transaction (one fsync), with the
 * same group commit the store runs on its own thread (SqliteAppendBatch), and answers each append.
 * Started by SqliteWriterThread, never on its own. Imports stay relative and few: the thread loads
 * only what it writes with.
 */
import { parentPort, workerData } from 'node:worker_threads';
import { type EncodedAppend, openSqliteEventDatabase, SqliteAppendBatch } from './sqlite-append-batch';
import { type SerializedAppendOutcome, serializeAppendError, type SqliteWriterData, type WriterCommand, type WriterReport } from './sqlite-writer.messages';

function main(): void {
  const port = parentPort;
  if (!port) throw new Error('sqlite-writer.main runs only as a worker thread');
  const options = workerData as SqliteWriterData;
  const db = openSqliteEventDatabase(options.filename, options.durability);
  const writer = new SqliteAppendBatch(db, () => performance.now());
  let pending: Array<{ id: number; append: EncodedAppend }> = [];
  let scheduled = false;

  const flush = () => {
    scheduled = false;
    const batch = pending;
    pending = [];
    if (batch.length === 0) return;
    const { outcomes, report } = writer.write(batch.map((p) => p.append));
    const answers = outcomes.map(
      (outcome, i): SerializedAppendOutcome =>
        outcome.ok ? { id: batch[i].id, ok: true, result: outcome.result } : { id: batch[i].id, ok: false, error: serializeAppendError(outcome.error) },
    );
    port.postMessage({ kind: 'written', outcomes: answers, report } satisfies WriterReport);
  };

  port.on('message', (command: WriterCommand) => {
    if (command.kind === 'append') {
      for (const append of command.appends) pending.push(append);
      // Messages that queued up during the last commit are all delivered before the immediate runs: they
      // share the next transaction.
      if (!scheduled) {
        scheduled = true;
        setImmediate(flush);
      }
      return;
    }
    flush();
    db.close();
    port.postMessage({ kind: 'closed' } satisfies WriterReport);
    port.close();
  });
}

main();
