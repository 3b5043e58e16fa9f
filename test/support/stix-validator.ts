// Validates STIX 2.1 bundles against the OASIS JSON schemas vendored in
// test/fixtures/stix2-schemas (draft 2020-12, hence ajv's 2020 build; formats from ajv-formats).
import { readdirSync, readFileSync, statSync } from 'node:fs';
import { domainToASCII } from 'node:url';
import { join } from 'node:path';
import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import { projectPath } from '../../src/project-root.js';

const addFormats = addFormatsModule as unknown as (ajv: Ajv2020) => Ajv2020;
const BASE = 'http://raw.githubusercontent.com/oasis-open/cti-stix2-json-schemas/stix2.1/schemas';
let ajv: Ajv2020 | null = null;

function schemaFiles(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? schemaFiles(path) : name.endsWith('.json') ? [path] : [];
  });
}

function schemas(): Ajv2020 {
  if (ajv) return ajv;
  // The schemas' patterns are ECMA-262 regular expressions written for non-Unicode mode ("\-").
  ajv = new Ajv2020({ strict: false, allErrors: true, unicodeRegExp: false });
  addFormats(ajv);
  // Not among ajv-formats': an internationalised host name is valid when its ASCII form is.
  ajv.addFormat('idn-hostname', (value: string) => {
    const ascii = domainToASCII(value);
    return ascii !== '' && ascii.length <= 253 && ascii.split('.').every((label) => /^(?!-)[a-z0-9-]{1,63}(?<!-)$/i.test(label));
  });
  const root = projectPath('test', 'fixtures', 'stix2-schemas', 'schemas');
  for (const file of schemaFiles(root)) ajv.addSchema(JSON.parse(readFileSync(file, 'utf8')) as object);
  return ajv;
}

const FOLDERS = ['sdos', 'sros', 'observables', 'common'];

/** The schema of one STIX type, or null for a type the specification does not define. */
function typeSchema(type: string): ValidateFunction | null {
  for (const folder of FOLDERS) {
    const validate = schemas().getSchema(`${BASE}/${folder}/${type}.json`);
    if (validate) return validate;
  }
  return null;
}

function errors(validate: ValidateFunction, where: string): string[] {
  return (validate.errors ?? []).map((e) => `${where}${e.instancePath} ${e.message ?? ''} ${JSON.stringify(e.params)}`);
}

/**
 * Problems of a bundle: each object against the schema of its type (clear messages), then the
 * whole bundle against bundle.json (what a consumer checks). Empty when valid.
 */
export function stixProblems(bundle: { objects?: { type?: string; id?: string }[] }): string[] {
  const problems: string[] = [];
  for (const object of bundle.objects ?? []) {
    const id = String(object.id);
    const validate = typeSchema(String(object.type));
    if (!validate) problems.push(`${id}: no STIX 2.1 schema for type ${String(object.type)}`);
    else if (!validate(object)) problems.push(...errors(validate, id));
  }
  // The schemas cannot see across objects: every reference must name an object of the bundle.
  const ids = new Set((bundle.objects ?? []).map((o) => String(o.id)));
  for (const object of bundle.objects ?? []) {
    for (const [key, value] of Object.entries(object)) {
      if (!key.endsWith('_ref') && !key.endsWith('_refs')) continue;
      for (const ref of Array.isArray(value) ? value : [value]) {
        if (!ids.has(String(ref))) problems.push(`${String(object.id)}: ${key} names ${String(ref)}, which is not in the bundle`);
      }
    }
  }
  const validateBundle = schemas().getSchema(`${BASE}/common/bundle.json`)!;
  if (!validateBundle(bundle) && problems.length === 0) problems.push(...errors(validateBundle, 'bundle'));
  return problems;
}
