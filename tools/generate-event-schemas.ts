import { mkdirSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { generateEventSchemas, SCHEMA_DIR } from '@lead-lifecycle/kafka-relay/contracts/event-schemas';

/** npm run schemas:generate: rewrites schemas/events from the TypeScript event definitions. */
mkdirSync(SCHEMA_DIR, { recursive: true });
for (const file of readdirSync(SCHEMA_DIR)) if (file.endsWith('.json')) rmSync(join(SCHEMA_DIR, file));
for (const [file, schema] of generateEventSchemas()) {
  writeFileSync(join(SCHEMA_DIR, file), `${JSON.stringify(schema, null, 2)}\n`);
  console.log(`wrote schemas/events/${file}`);
}
