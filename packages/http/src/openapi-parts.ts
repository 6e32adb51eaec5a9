/** Building blocks of the OpenAPI document (shared by the route groups). */

export type Schema = Record<string, unknown>;

export const ref = (name: string): Schema => ({ $ref: `#/components/schemas/${name}` });
export const integer: Schema = { type: 'integer', minimum: 0 };
export const time: Schema = {
  type: 'string',
  description:
    'Local time with milliseconds and offset, e.g. `2021-02-04T01:42:40.160+0900`; `1970-01-01T00:00:00.000` in local offset when it has not happened yet.',
};

/** `{"statusCode","message","response"}` with `response` of the given schema. */
export function envelope(response?: Schema): Schema {
  const properties: Schema = { statusCode: { type: 'integer' }, message: { type: 'string' } };
  if (response !== undefined) properties['response'] = response;
  return {
    type: 'object',
    required: response === undefined ? ['statusCode', 'message'] : ['statusCode', 'message', 'response'],
    properties,
  };
}

export function ok(description: string, response: Schema): Schema {
  return { description, content: { 'application/json': { schema: envelope(response) } } };
}

export function error(description: string): Schema {
  return { description, content: { 'application/json': { schema: ref('ErrorEnvelope') } } };
}

export const pathParameter = (name: string, description: string): Schema => ({
  name,
  in: 'path',
  required: true,
  description,
  schema: { type: 'string' },
});
export const commonErrors: Schema = {
  '401': error(
    'Authorization missing, malformed, of another scheme, not base64, or a wrong token; carries `WWW-Authenticate: Basic realm="..."`.',
  ),
};
