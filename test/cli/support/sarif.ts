/** A validator for SARIF logs built from the vendored OASIS SARIF 2.1.0 schema. */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import { FIXTURES, REPO } from './cli.ts';

/**
 * The OASIS SARIF 2.1.0 schema (draft-04). Ajv 8 validates with the draft-07 vocabulary, which agrees with
 * draft-04 on every keyword this schema uses; only the draft-04 `$schema`/`id` header is set aside.
 */
export function sarifValidator(): ValidateFunction {
  const schema = JSON.parse(readFileSync(join(REPO, FIXTURES, 'sarif-schema-2.1.0.json'), 'utf8'));
  delete schema.$schema;
  delete schema.id;
  const ajv = new Ajv({ allErrors: true, strict: false });
  ajv.addFormat('uri', (value: string) => /^[a-z][a-z0-9+.-]*:/i.test(value) && !/\s/.test(value));
  ajv.addFormat('uri-reference', (value: string) => !/\s/.test(value));
  ajv.addFormat('date-time', (value: string) =>
    /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:\d{2})$/.test(value),
  );
  return ajv.compile(schema);
}
