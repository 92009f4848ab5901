import 'reflect-metadata';
import { createWriteStream, type WriteStream } from 'node:fs';
import { parseArgs } from 'node:util';
import { AGGREGATE_STREAM_PREFIXES, SEALED_STREAM_PREFIXES, decodeLeadEvent, evolveLead, initialLeadState, isBusinessTime, leadStreamId } from '@lead-lifecycle/domain';
import { type EventStore, type GlobalPosition, type IntegrityReport, openKeyStore, PostgresConfig, type StoredEvent, verifyIntegrity } from '@lead-lifecycle/eventing';
import {
  AggregateRepository,
  type AsOf,
  asOfFilter,
  ConfigurationError,
  createEventStore,
  createRawEventStore,
  csvHeader,
  EngineConfig,
  type HistoryEntry,
  historyEntry,
  leadView,
  opportunityStreamsOf,
  readLeadHistory,
  requireLeadOfTenant,
  toCsvRow,
  toNdjsonLine,
  TransitionTracker,
} from '@lead-lifecycle/lifecycle';

const USAGE = `Lead Lifecycle audit tool

  npm run audit -- history <leadId> [--tenant <t>] [--json]
  npm run audit -- state <leadId> [--as-of <ISO time>] [--time business|recorded] [--revision <n>] [--json]
  npm run audit -- export (--lead <leadId> | --tenant <t>) [--format ndjson|csv] [--out <file>] [--quiet]
  npm run audit -- verify [--lead <leadId>] [--json]

Reads the store configured by the environment (EVENT_STORE, DATA_DIR, EVENTSTORE_CONNECTION_STRING),
or the data folder given with --data-dir. Exit codes: 0 ok, 1 verification failed, 2 usage or configuration error.`;

const options = {
  tenant: { type: 'string' },
  lead: { type: 'string' },
  json: { type: 'boolean' },
  'as-of': { type: 'string' },
  time: { type: 'string' },
  revision: { type: 'string' },
  format: { type: 'string' },
  out: { type: 'string' },
  quiet: { type: 'boolean' },
  'data-dir': { type: 'string' },
  help: { type: 'boolean' },
} as const;

/** The options as parseArgs gives them: a string or a flag each, absent when not given. */
type AuditOptions = { readonly [K in keyof typeof options]?: (typeof options)[K]['type'] extends 'string' ? string : boolean };

class UsageError extends Error {}

async function main(argv: string[]): Promise<number> {
  const { values, positionals } = parseArgs({ args: argv, options, allowPositionals: true, strict: true });
  const [command, target] = positionals;
  if (values.help || !command) {
    console.log(USAGE);
    return command ? 0 : 2;
  }
  const env = { ...process.env, ...(values['data-dir'] ? { DATA_DIR: values['data-dir'] } : {}) };
  const engine = EngineConfig.fromEnv(env);
  // With DATABASE_URL, the key store every instance shares, so exports show erasures made anywhere.
  const keys = await openKeyStore(engine.DATA_DIR, PostgresConfig.fromEnv(env), 'lead-lifecycle audit');
  const store = command === 'verify' ? createRawEventStore(engine) : createEventStore(engine, keys);
  try {
    switch (command) {
      case 'history':
        return await history(store, required(target, 'leadId'), values.tenant, !!values.json);
      case 'state':
        return await state(store, required(target, 'leadId'), values, !!values.json);
      case 'export':
        return await exportEvents(store, values);
      case 'verify':
        return await verify(store, values.lead, !!values.json);
      default:
        throw new UsageError(`unknown command "${command}"`);
    }
  } finally {
    await store.close();
    await keys.close();
  }
}

function required(value: string | undefined, name: string): string {
  if (!value) throw new UsageError(`missing <${name}>`);
  return value;
}

async function history(store: EventStore, leadId: string, tenant: string | undefined, json: boolean): Promise<number> {
  const h = await readLeadHistory(store, leadId, tenant);
  if (json) {
    console.log(JSON.stringify(h, null, 2));
    return 0;
  }
  console.log(`Lead ${h.leadId} (tenant ${h.tenantId}): ${h.events.length} events, oldest first\n`);
  for (const e of h.events) console.log(timelineLine(e));
  return 0;
}

export function timelineLine(e: HistoryEntry): string {
  const m = e.metadata;
  // Metadata beyond the envelope's own fields is open-ended; the command side writes these two as strings.
  const actorName = typeof m.actorName === 'string' ? m.actorName : undefined;
  const onBehalfOf = typeof m.onBehalfOf === 'string' ? m.onBehalfOf : undefined;
  const t = e.transition;
  const changes = [
    t.stage && `stage ${t.stage.before} → ${t.stage.after}`,
    t.score && `score ${t.score.before} → ${t.score.after}`,
    t.opportunityStatus && `opportunity ${t.opportunityStatus.before} → ${t.opportunityStatus.after}`,
    t.opportunityStage && t.opportunityStatus === undefined && `pipeline ${t.opportunityStage.before} → ${t.opportunityStage.after}`,
  ].filter(Boolean);
  return [
    `${m.occurredAt}  ${e.type.padEnd(26)} ${e.streamId.split('-')[0].padEnd(11)} #${e.revision}`,
    changes.length ? `    ${changes.join(', ')}` : undefined,
    `    by ${m.actor}${actorName ? ` "${actorName}"` : ''}${onBehalfOf ? ` on behalf of ${onBehalfOf}` : ''}${m.command ? ` (${m.command})` : ''}, recorded ${m.recordedAt}, position ${e.position}`,
    `    correlation ${m.correlationId}, caused by ${m.causationId}`,
  ]
    .filter(Boolean)
    .join('\n');
}

async function state(store: EventStore, leadId: string, values: AuditOptions, json: boolean): Promise<number> {
  if (values.time !== undefined && values.time !== 'business' && values.time !== 'recorded') throw new UsageError('--time must be business or recorded');
  const at = values['as-of'];
  if (at !== undefined && !isBusinessTime(at)) throw new UsageError('--as-of must be an ISO 8601 time: an RFC 3339 date-time with seconds and offset, e.g. 2026-02-01T10:00:00Z');
  const revision = values.revision;
  if (revision !== undefined && !/^\d+$/.test(revision)) throw new UsageError('--revision must be a whole number');
  const asOf: AsOf | undefined =
    revision !== undefined
      ? { revision: BigInt(revision) }
      : at !== undefined
        ? values.time === 'recorded'
          ? { recordedTime: at }
          : { businessTime: at }
        : undefined;
  const repository = new AggregateRepository(store, { initialState: initialLeadState, evolve: evolveLead, decode: decodeLeadEvent });
  const loaded = await repository.load(leadStreamId(leadId), asOfFilter(asOf));
  if (loaded.state.stage === 'none') throw new UsageError(`lead ${leadId} had no events by then`);
  const view = leadView(requireLeadOfTenant(loaded.state, loaded.state.tenantId, leadId), loaded.revision);
  if (json) {
    console.log(JSON.stringify(view, null, 2));
    return 0;
  }
  const when = asOf ? ('revision' in asOf ? `as of revision ${asOf.revision}` : `as of ${'businessTime' in asOf ? `business time ${asOf.businessTime}` : `recorded time ${asOf.recordedTime}`}`) : 'now';
  console.log(`Lead ${leadId} ${when} (revision ${view.revision})`);
  console.log(`  stage        ${view.stage} since ${view.stageEnteredAt}`);
  console.log(`  score        ${view.score.total} (fit ${view.score.fit}, engagement ${view.score.engagement}), ${view.temperature}`);
  console.log(`  owner        ${view.ownerId ?? '-'}`);
  console.log(`  contact      ${JSON.stringify(view.contact)}`);
  console.log(`  source       ${view.source.channel}${view.source.campaign ? ` / ${view.source.campaign}` : ''}`);
  console.log(`  opportunities ${view.opportunityIds.length ? Object.entries(view.opportunities).map(([id, s]) => `${id} (${s})`).join(', ') : '-'}`);
  return 0;
}

async function exportEvents(store: EventStore, values: AuditOptions): Promise<number> {
  const format = values.format ?? 'ndjson';
  if (format !== 'ndjson' && format !== 'csv') throw new UsageError('--format must be ndjson or csv');
  if (!values.lead === !values.tenant) throw new UsageError('export needs exactly one of --lead or --tenant');
  const out: NodeJS.WritableStream = values.out ? createWriteStream(values.out) : process.stdout;
  const write = (text: string) => (out.write(text) ? Promise.resolve() : new Promise<void>((r) => out.once('drain', () => r())));
  const line = (e: HistoryEntry) => (format === 'csv' ? toCsvRow(e) : toNdjsonLine(e));
  if (format === 'csv') await write(csvHeader());
  let exported = 0;
  if (values.lead) {
    const h = await readLeadHistory(store, values.lead);
    for (const e of h.events) await write(line(e));
    exported = h.events.length;
  } else {
    const tenant = String(values.tenant);
    const progress = new ProgressBar(await store.headPosition(), !values.quiet && !!values.out);
    const tracker = new TransitionTracker();
    let after: GlobalPosition | undefined;
    for (;;) {
      const batch: StoredEvent[] = await store.readAll({ after, maxCount: 2000 });
      for (const event of batch) {
        if (event.metadata.tenantId !== tenant || !AGGREGATE_STREAM_PREFIXES.some((p) => event.streamId.startsWith(p))) continue;
        await write(line(historyEntry(event, tracker.apply(event))));
        exported++;
      }
      if (batch.length) progress.update(batch[batch.length - 1].position, exported);
      if (batch.length < 2000) break;
      after = batch[batch.length - 1].position;
    }
    progress.done(exported);
  }
  if (out !== process.stdout) await new Promise<void>((resolve) => (out as WriteStream).end(resolve));
  if (values.out) console.error(`exported ${exported} events to ${values.out}`);
  return 0;
}

/** A progress bar on stderr, by position in the global order (works for every store). */
class ProgressBar {
  constructor(
    private readonly head: GlobalPosition,
    private readonly enabled: boolean,
  ) {}
  update(position: GlobalPosition, exported: number): void {
    if (!this.enabled || this.head.commit <= 0n) return;
    const fraction = Math.min(1, Number((position.commit * 1000n) / this.head.commit) / 1000);
    const width = 30;
    const filled = Math.round(fraction * width);
    process.stderr.write(`\r[${'#'.repeat(filled)}${'.'.repeat(width - filled)}] ${(fraction * 100).toFixed(0).padStart(3)}%  ${exported} events`);
  }
  done(exported: number): void {
    if (this.enabled) process.stderr.write(`\r[${'#'.repeat(30)}] 100%  ${exported} events\n`);
  }
}

async function verify(store: EventStore, lead: string | undefined, json: boolean): Promise<number> {
  const report: IntegrityReport = await verifyIntegrity(store, lead ? { streamIds: await streamsOfLead(store, lead) } : { prefixes: SEALED_STREAM_PREFIXES });
  if (json) {
    console.log(JSON.stringify(report, null, 2));
  } else {
    console.log(`verified ${report.verified} of ${report.streams} streams (${report.events} events)`);
    for (const v of report.broken) {
      const p = v.firstProblem!;
      console.log(`BROKEN  ${v.streamId}: first broken link at revision ${p.revision}, position ${p.position}, event ${p.eventId} (${p.type}): ${p.detail}`);
    }
    for (const v of report.unsealed) {
      const p = v.firstProblem!;
      console.log(`UNSEALED ${v.streamId}: ${v.unsealedEvents} event(s) written before hash chaining, first at revision ${p.revision}, position ${p.position}; they cannot be verified`);
    }
    console.log(report.ok ? 'OK: every chain is intact' : 'FAILED: the record cannot be trusted as it is');
  }
  return report.ok ? 0 : 1;
}

async function streamsOfLead(store: EventStore, leadId: string): Promise<string[]> {
  const own = await store.readStream(leadStreamId(leadId));
  if (own.length === 0) throw new UsageError(`lead ${leadId} not found`);
  return [leadStreamId(leadId), ...opportunityStreamsOf(own)];
}

main(process.argv.slice(2))
  .then((code) => process.exit(code))
  .catch((error) => {
    if (error instanceof UsageError || error instanceof ConfigurationError || (error as { code?: string }).code?.startsWith('ERR_PARSE_ARGS')) {
      console.error(`${(error as Error).message}\n\n${USAGE}`);
      process.exit(2);
    }
    console.error((error as Error).message ?? error);
    process.exit(1);
  });
