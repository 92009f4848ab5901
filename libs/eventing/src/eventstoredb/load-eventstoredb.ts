/** The EventStoreDB adapter's module: its classes, and the gRPC client they load. */
export type EventStoreDbModule = typeof import('./index');

/**
 * The EventStoreDB adapter, loaded on first call, so a host on the embedded store never loads the gRPC
 * client (~200 ms) or needs @eventstore/db-client installed (an optional peer dependency). A relative
 * require inside this package: it resolves from the sources in the repository and from the installed
 * package's dist alike, where a path into another library's sources would not.
 */
export function loadEventStoreDb(): EventStoreDbModule {
  // eslint-disable-next-line @typescript-eslint/no-require-imports
  return require('./index') as EventStoreDbModule;
}
