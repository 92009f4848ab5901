/** What every instance of a test fleet shares: the store, the PostgreSQL database, the broker and topic. */
export interface FleetSettings {
  /** EVENTSTORE_CONNECTION_STRING of the shared EventStoreDB (or its protocol test double). */
  readonly eventStore: string;
  /** DATABASE_URL: leases, the relay's checkpoint, API keys and data keys. */
  readonly databaseUrl: string;
  readonly kafkaBrokers: readonly string[];
  readonly kafkaTopic: string;
  /** A short lease, so a takeover after a kill -9 takes seconds, not the production 10 s. */
  readonly leaseTtlMs: number;
  /** The platform key (ADMIN_API_KEY) every instance accepts. */
  readonly platformKey: string;
}

/**
 * The environment of one API process of a test fleet, built in this one place so a fleet-wide setting
 * (read models in PostgreSQL, say) is added here once. DATA_DIR, PORT, HOST and INSTANCE_ID are set per
 * instance by ApiProcess.
 */
export function fleetEnv(settings: FleetSettings): Record<string, string> {
  return {
    EVENT_STORE: 'eventstoredb',
    EVENTSTORE_CONNECTION_STRING: settings.eventStore,
    DATABASE_URL: settings.databaseUrl,
    LEASE_TTL_MS: String(settings.leaseTtlMs),
    KAFKA_BROKERS: settings.kafkaBrokers.join(','),
    KAFKA_TOPIC: settings.kafkaTopic,
    KAFKA_TOPIC_PARTITIONS: '3',
    KAFKA_RELAY_IN_PROCESS: 'true',
    // The read models in the shared database: one instance folds each (under its lease), every instance
    // answers from the same tables, and a new instance answers at once without a rebuild.
    READ_MODELS: 'postgres',
    ADMIN_API_KEY: settings.platformKey,
    // The processors in the main thread: a worker thread compiles its module graph with ts-node again on
    // every start, which three processes on a loaded 2-core machine cannot afford.
    PROCESSORS_IN: 'main',
    SQLITE_DURABILITY: 'normal',
    RATE_LIMIT_PER_MINUTE: '1000000',
  };
}
