export default async function globalTeardown(): Promise<void> {
  const started = (globalThis as { __leadLifecycleServers?: Array<{ stop(): Promise<void> }> }).__leadLifecycleServers ?? [];
  await Promise.all(started.map((s) => s.stop().catch((error) => console.warn(`stopping a test server failed: ${error}`))));
}
