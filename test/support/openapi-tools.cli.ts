/**
 * Runs the outside judges of an OpenAPI document in a process of its own, because they ship as ES modules
 * (or pull some in) that jest's CommonJS module system cannot load: swagger-parser (validate, then
 * dereference), spectral with the `spectral:oas` ruleset, and openapi-typescript (the types a generated
 * client would get). Usage: `openapi-tools.cli.ts <document.json> <out.json>`; writes an OpenApiVerdict.
 */
import SwaggerParser from '@apidevtools/swagger-parser';
import { Document, Spectral } from '@stoplight/spectral-core';
import { Json } from '@stoplight/spectral-parsers';
import { oas } from '@stoplight/spectral-rulesets';
import { readFileSync, writeFileSync } from 'node:fs';
import openapiTS, { astToString } from 'openapi-typescript';

export interface OpenApiVerdict {
  /** swagger-parser's validate: null when valid, else its message. */
  readonly invalid: string | null;
  /** The document with every $ref resolved (swagger-parser's dereference). */
  readonly dereferenced: unknown;
  /** spectral:oas results: severity 0 error, 1 warning, 2 information, 3 hint. */
  readonly lint: Array<{ code: string; severity: number; path: string; message: string }>;
  /** openapi-typescript's output for the document. */
  readonly types: string;
}

async function main(): Promise<void> {
  const [input, output] = process.argv.slice(2);
  const text = readFileSync(input, 'utf8');
  const parse = () => JSON.parse(text);
  let invalid: string | null = null;
  try {
    await SwaggerParser.validate(parse());
  } catch (error) {
    invalid = (error as Error).message;
  }
  const dereferenced = await SwaggerParser.dereference(parse());
  const spectral = new Spectral();
  // `spectral:oas` as a ruleset file would say `extends: spectral:oas`: the recommended rules.
  spectral.setRuleset({ extends: [[oas as never, 'recommended']] } as never);
  const results = await spectral.run(new Document(text, Json, input));
  const lint = results.map((r) => ({ code: String(r.code), severity: r.severity, path: r.path.join('.'), message: r.message }));
  const types = astToString(await openapiTS(parse()));
  const verdict: OpenApiVerdict = { invalid, dereferenced, lint, types };
  writeFileSync(output, JSON.stringify(verdict));
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
