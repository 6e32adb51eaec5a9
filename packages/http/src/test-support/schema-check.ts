/** A tiny JSON Schema checker for the subset the OpenAPI document uses (tests only). */

type Schema = Record<string, unknown>;

/**
 * Problems of `value` against `schema` (empty = valid). `strict` also reports object
 * fields the schema does not declare, so undocumented fields are caught.
 */
export function schemaProblems(value: unknown, schema: Schema, root: Schema, strict = false, path = '$'): string[] {
  if (typeof schema['$ref'] === 'string')
    return schemaProblems(value, resolveRef(root, schema['$ref']), root, strict, path);
  const problems: string[] = [];
  const type = schema['type'];
  if (type !== undefined && !hasType(value, type as string))
    return [`${path}: expected ${JSON.stringify(type)}, got ${JSON.stringify(value)?.slice(0, 40)}`];
  if (Array.isArray(schema['enum']) && !schema['enum'].includes(value))
    problems.push(`${path}: ${JSON.stringify(value)} not in enum`);
  if (typeof value === 'number' && typeof schema['minimum'] === 'number' && value < schema['minimum'])
    problems.push(`${path}: below minimum`);
  if (typeof value === 'string' && typeof schema['maxLength'] === 'number' && value.length > schema['maxLength'])
    problems.push(`${path}: too long`);
  if (Array.isArray(value)) {
    if (typeof schema['maxItems'] === 'number' && value.length > schema['maxItems'])
      problems.push(`${path}: too many items`);
    if (typeof schema['minItems'] === 'number' && value.length < schema['minItems'])
      problems.push(`${path}: too few items`);
    if (schema['items'] !== undefined)
      value.forEach((item, i) =>
        problems.push(...schemaProblems(item, schema['items'] as Schema, root, strict, `${path}[${i}]`)),
      );
  }
  if (typeof value === 'object' && value !== null && !Array.isArray(value)) {
    const properties = (schema['properties'] ?? {}) as Record<string, Schema>;
    for (const key of (schema['required'] ?? []) as string[])
      if (!Object.hasOwn(value, key)) problems.push(`${path}.${key}: required`);
    for (const [key, field] of Object.entries(value)) {
      if (Object.hasOwn(properties, key))
        problems.push(...schemaProblems(field, properties[key] as Schema, root, strict, `${path}.${key}`));
      else if (strict) problems.push(`${path}.${key}: not documented`);
    }
  }
  return problems;
}

/** Resolves `#/a/b/c` inside `root`. */
export function resolveRef(root: Schema, ref: string): Schema {
  let node: unknown = root;
  for (const part of ref.replace(/^#\//, '').split('/')) {
    if (typeof node !== 'object' || node === null || !Object.hasOwn(node, part))
      throw new Error(`unresolved $ref ${ref}`);
    node = (node as Record<string, unknown>)[part];
  }
  return node as Schema;
}

function hasType(value: unknown, type: string): boolean {
  switch (type) {
    case 'integer':
      return Number.isInteger(value);
    case 'number':
      return typeof value === 'number' && Number.isFinite(value);
    case 'array':
      return Array.isArray(value);
    case 'object':
      return typeof value === 'object' && value !== null && !Array.isArray(value);
    default:
      return typeof value === type;
  }
}
