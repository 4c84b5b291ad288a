// Validates a DCC payload against the EU DCC schema (ajv, draft 2020-12, with date/date-time formats).
import { Ajv2020 } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { dccSchema } from './dcc-schema';

// ajv-formats is CommonJS: under ESM interop its function may sit on `.default`
const addFormats = ((addFormatsModule as unknown as { default?: typeof addFormatsModule }).default ?? addFormatsModule);

const ajv = new Ajv2020({ allErrors: true, strict: false });
addFormats(ajv, ['date', 'date-time']);
const validate = ajv.compile(dccSchema);

/** null when the payload adheres to the schema, else the first problems ("/v/0/dt: must match format \"date\""). */
export function schemaErrors(dcc: unknown): string[] | null {
  if (validate(dcc)) return null;
  return (validate.errors ?? []).slice(0, 5).map((e) => `${e.instancePath || '/'}: ${e.message ?? 'invalid'}`);
}
