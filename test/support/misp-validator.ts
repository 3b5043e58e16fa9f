// Checks MISP events against MISP's published object templates (test/fixtures/misp-objects,
// from MISP/misp-objects) and attribute type table (describeTypes.json, from PyMISP): every
// object names a known template with its uuid, version and meta-category; every attribute's
// object_relation exists in the template, with the template's type, a category the template (or
// else the type) allows, at most once unless the template marks it `multiple`; each object has
// one of its `requiredOneOf` relations and all `required` ones; references point at objects of
// the event with a relationship type MISP defines; uuids are unique.
import { readFileSync } from 'node:fs';
import { projectPath } from '../../src/project-root.js';

interface TemplateAttribute {
  'misp-attribute': string;
  multiple?: boolean;
  categories?: string[];
  values_list?: string[];
}

interface Template {
  name: string;
  uuid: string;
  version: number;
  'meta-category': string;
  attributes: Record<string, TemplateAttribute>;
  required?: string[];
  requiredOneOf?: string[];
}

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[1-5][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const fixtures = (...parts: string[]) => projectPath('test', 'fixtures', 'misp-objects', ...parts);
const readJson = <T>(path: string): T => JSON.parse(readFileSync(path, 'utf8')) as T;

let cache: { templates: Map<string, Template>; relationships: Set<string>; categoriesOfType: Map<string, Set<string>> } | null = null;

function reference() {
  if (cache) return cache;
  const templates = new Map<string, Template>();
  for (const name of ['url', 'domain-ip', 'email', 'x509'])
    templates.set(name, readJson<Template>(fixtures('objects', name, 'definition.json')));
  const relationships = new Set(
    readJson<{ values: { name: string }[] }>(fixtures('relationships', 'definition.json')).values.map((v) => v.name),
  );
  const describe = readJson<{ result: { category_type_mappings: Record<string, string[]> } }>(
    fixtures('pymisp', 'describeTypes.json'),
  ).result;
  const categoriesOfType = new Map<string, Set<string>>();
  for (const [category, types] of Object.entries(describe.category_type_mappings)) {
    for (const type of types) {
      if (!categoriesOfType.has(type)) categoriesOfType.set(type, new Set());
      categoriesOfType.get(type)!.add(category);
    }
  }
  cache = { templates, relationships, categoriesOfType };
  return cache;
}

interface EventLike {
  Event?: {
    uuid?: string;
    info?: string;
    date?: string;
    Object?: {
      uuid?: string;
      name?: string;
      'meta-category'?: string;
      template_uuid?: string;
      template_version?: string;
      Attribute?: { uuid?: string; type?: string; category?: string; object_relation?: string; value?: unknown; to_ids?: unknown }[];
      ObjectReference?: { uuid?: string; object_uuid?: string; referenced_uuid?: string; relationship_type?: string }[];
    }[];
  };
}

/** Problems of one MISP event (`{"Event": {...}}`); empty when it follows the templates. */
export function mispProblems(event: EventLike, usedTemplates: Set<string> = new Set()): string[] {
  const { templates, relationships, categoriesOfType } = reference();
  const problems: string[] = [];
  const e = event.Event;
  if (!e) return ['no "Event"'];
  if (!UUID.test(String(e.uuid))) problems.push(`event uuid ${String(e.uuid)} is not a UUID`);
  if (typeof e.info !== 'string' || e.info === '') problems.push('event has no info');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(String(e.date))) problems.push(`event date ${String(e.date)} is not YYYY-MM-DD`);
  const uuids = new Set<string>();
  const unique = (uuid: unknown, what: string) => {
    if (!UUID.test(String(uuid))) problems.push(`${what}: uuid ${String(uuid)} is not a UUID`);
    else if (uuids.has(String(uuid))) problems.push(`${what}: uuid ${String(uuid)} is used twice`);
    uuids.add(String(uuid));
  };
  unique(e.uuid, 'event');
  const objects = e.Object ?? [];
  const objectUuids = new Set(objects.map((o) => String(o.uuid)));
  for (const [i, object] of objects.entries()) {
    const where = `object ${i} (${String(object.name)})`;
    unique(object.uuid, where);
    const template = templates.get(String(object.name));
    if (!template) {
      problems.push(`${where}: no template ${String(object.name)}`);
      continue;
    }
    usedTemplates.add(template.name);
    if (object.template_uuid !== template.uuid)
      problems.push(`${where}: template_uuid ${String(object.template_uuid)}, the template's is ${template.uuid}`);
    if (object.template_version !== String(template.version))
      problems.push(`${where}: template_version ${String(object.template_version)}, the template's is ${template.version}`);
    if (object['meta-category'] !== template['meta-category'])
      problems.push(`${where}: meta-category ${String(object['meta-category'])}, the template's is ${template['meta-category']}`);
    const seen = new Map<string, number>();
    for (const attribute of object.Attribute ?? []) {
      const relation = String(attribute.object_relation);
      const at = `${where} attribute ${relation}`;
      unique(attribute.uuid, at);
      const spec = template.attributes[relation];
      if (!spec) {
        problems.push(`${at}: not an attribute of the ${template.name} template`);
        continue;
      }
      seen.set(relation, (seen.get(relation) ?? 0) + 1);
      if (attribute.type !== spec['misp-attribute'])
        problems.push(`${at}: type ${String(attribute.type)}, the template says ${spec['misp-attribute']}`);
      const allowed = spec.categories ? new Set(spec.categories) : categoriesOfType.get(spec['misp-attribute']);
      if (!allowed?.has(String(attribute.category)))
        problems.push(`${at}: category ${String(attribute.category)} not allowed for ${spec['misp-attribute']}`);
      if (typeof attribute.value !== 'string' || attribute.value === '') problems.push(`${at}: empty or non-string value`);
      if (spec.values_list && !spec.values_list.includes(String(attribute.value)))
        problems.push(`${at}: ${String(attribute.value)} is not one of ${spec.values_list.join(', ')}`);
      if (typeof attribute.to_ids !== 'boolean') problems.push(`${at}: to_ids is not a boolean`);
    }
    for (const [relation, count] of seen)
      if (count > 1 && !template.attributes[relation].multiple)
        problems.push(`${where}: ${relation} appears ${count} times, the template allows one`);
    if (template.requiredOneOf && !template.requiredOneOf.some((r) => seen.has(r)))
      problems.push(`${where}: none of ${template.requiredOneOf.join(', ')}`);
    for (const r of template.required ?? []) if (!seen.has(r)) problems.push(`${where}: required ${r} missing`);
    for (const ref of object.ObjectReference ?? []) {
      unique(ref.uuid, `${where} reference`);
      if (ref.object_uuid !== object.uuid) problems.push(`${where}: a reference's object_uuid is not the object's`);
      if (!objectUuids.has(String(ref.referenced_uuid)))
        problems.push(`${where}: reference to ${String(ref.referenced_uuid)}, not an object of the event`);
      if (!relationships.has(String(ref.relationship_type)))
        problems.push(`${where}: relationship ${String(ref.relationship_type)} is not one MISP defines`);
    }
  }
  return problems;
}
