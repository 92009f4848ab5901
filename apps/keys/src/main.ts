import 'reflect-metadata';
import { runKeysCli } from './keys-cli';

/** npm run keys -- create|list|revoke …  (see USAGE in keys-cli.ts) */
runKeysCli(process.argv.slice(2), process.env, { log: (l) => console.log(l), error: (l) => console.error(l) })
  .then((code) => process.exit(code))
  .catch((error) => {
    console.error(error);
    process.exit(1);
  });
