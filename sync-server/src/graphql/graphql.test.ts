import { readFile, writeFile } from 'node:fs/promises';
import { fileURLToPath } from 'node:url';
import { Client, fetchExchange, gql, type OperationResult } from '@urql/core';
import * as prettier from 'prettier';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { apiClientKey, seedSchedule } from '#api-clients/testing';
import { newPatient, seedSite } from '#testing/fixtures';
import { startTestServer, type TestServer } from '#testing/test-server';

/**
 * The GraphQL API over HTTP, driven by a third-party client (urql) against the
 * real server: the same services, scopes, site and audit as REST.
 */
let server: TestServer;
let site: Awaited<ReturnType<typeof seedSite>>;
let key: string;
const tomorrow = new Date(Date.now() + 86_400_000).toISOString().slice(0, 10);

beforeAll(async () => {
  server = await startTestServer();
  site = await seedSite(server.db);
  await seedSchedule(server.db, site.site.id, site.provider.id);
  key = await apiClientKey(server.db, site.site.id);
});
afterAll(async () => {
  await server?.close();
});

function client(apiKey: string | null = key) {
  return new Client({
    url: `${server.url}/graphql`,
    exchanges: [fetchExchange],
    requestPolicy: 'network-only',
    fetchOptions: () => (apiKey === null ? {} : { headers: { authorization: `Bearer ${apiKey}` } }),
  });
}

const CREATE_PATIENT = gql`
  mutation ($input: PatientCreateInput!) {
    createPatient(input: $input) {
      id
      mrn
      familyName
    }
  }
`;
const BOOK = gql`
  mutation ($patientId: ID!, $providerId: ID!, $start: DateTime!) {
    bookAppointment(patientId: $patientId, providerId: $providerId, start: $start, visitType: "check-up") {
      __typename
      ... on Appointment {
        id
        status
        start
      }
      ... on SlotTaken {
        message
        appointmentIds
      }
    }
  }
`;
const SLOTS = gql`
  query ($id: ID!, $date: Date!) {
    provider(id: $id) {
      displayName
      specialties
      freeSlots(date: $date) {
        start
        end
      }
    }
  }
`;

interface PatientPage {
  patients: { nodes: { familyName: string }[]; pageInfo: { endCursor: string | null; hasNextPage: boolean } };
}

async function createPatient(familyName: string) {
  const { givenName, dob, sex } = newPatient(site.site.id);
  const result = await client().mutation(CREATE_PATIENT, {
    input: { givenName, familyName, dob, sex: sex.toUpperCase() },
  });
  expect(result.error).toBeUndefined();
  return result.data.createPatient as { id: string; mrn: string };
}

async function freeSlots() {
  const result = await client().query(SLOTS, { id: site.provider.id, date: tomorrow });
  expect(result.error).toBeUndefined();
  return result.data.provider.freeSlots as { start: string; end: string }[];
}

async function post(body: unknown, headers: Record<string, string> = {}) {
  const response = await fetch(`${server.url}/graphql`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', authorization: `Bearer ${key}`, ...headers },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe('GraphQL over HTTP', () => {
  it('registers a patient, books through the REST services, and reads the visit history, the provider and its free slots', async () => {
    const patient = await createPatient('Okafor');
    expect(patient.mrn).toMatch(/^MRN-/);
    const before = await freeSlots();
    expect(before).toHaveLength(12);
    const { data } = await client().mutation(BOOK, {
      patientId: patient.id,
      providerId: site.provider.id,
      start: before[2]!.start,
    });
    expect(data.bookAppointment).toMatchObject({ __typename: 'Appointment', status: 'BOOKED' });
    expect(await freeSlots()).toHaveLength(11);

    const read = await client().query(
      gql`
        query ($id: ID!) {
          patient(id: $id) {
            familyName
            visits {
              nodes {
                id
                start
                provider {
                  displayName
                  specialties
                }
              }
            }
          }
        }
      `,
      { id: patient.id },
    );
    expect(read.error).toBeUndefined();
    expect(read.data.patient).toMatchObject({
      familyName: 'Okafor',
      visits: {
        nodes: [
          {
            id: data.bookAppointment.id,
            start: before[2]!.start,
            provider: { displayName: 'Dr. Test', specialties: ['Family medicine'] },
          },
        ],
      },
    });
  });

  it('pages with cursors: every match once, page after page', async () => {
    for (const name of ['Pager-A', 'Pager-B', 'Pager-C']) await createPatient(name);
    const seen: string[] = [];
    let after: string | null = null;
    for (let page = 0; page < 10; page++) {
      const result: OperationResult<PatientPage> = await client().query<PatientPage>(
        gql`
          query ($after: String) {
            patients(name: "Pager-", first: 2, after: $after) {
              nodes {
                familyName
              }
              pageInfo {
                endCursor
                hasNextPage
              }
            }
          }
        `,
        { after },
      );
      const { nodes, pageInfo } = result.data!.patients;
      seen.push(...nodes.map((p) => p.familyName));
      if (!pageInfo.hasNextPage) break;
      after = pageInfo.endCursor;
    }
    expect(seen.sort()).toEqual(['Pager-A', 'Pager-B', 'Pager-C']);
  });

  it('answers a taken slot as a typed SlotTaken, and keeps to the lifecycle like REST', async () => {
    const [first, second] = [await createPatient('Slot-One'), await createPatient('Slot-Two')];
    const [slot] = await freeSlots();
    const booked = await client().mutation(BOOK, {
      patientId: first.id,
      providerId: site.provider.id,
      start: slot!.start,
    });
    const clash = await client().mutation(BOOK, {
      patientId: second.id,
      providerId: site.provider.id,
      start: slot!.start,
    });
    expect(clash.error).toBeUndefined();
    expect(clash.data.bookAppointment).toMatchObject({
      __typename: 'SlotTaken',
      appointmentIds: [booked.data.bookAppointment.id],
    });

    const id = booked.data.bookAppointment.id as string;
    const checkIn = await client().mutation(
      gql`
        mutation ($id: ID!) {
          checkInAppointment(id: $id) {
            __typename
            ... on CheckIn {
              appointment {
                status
                checkInSource
              }
              queueEntry {
                ticketCode
                status
                queue
              }
            }
          }
        }
      `,
      { id },
    );
    expect(checkIn.data.checkInAppointment).toMatchObject({
      __typename: 'CheckIn',
      appointment: { status: 'CHECKED_IN', checkInSource: 'api' },
      queueEntry: { status: 'WAITING', queue: 'reception' },
    });
    const queue = await client().query(
      gql`
        {
          queue(queue: "reception") {
            nodes {
              ticketCode
              appointment {
                id
              }
            }
          }
        }
      `,
      {},
    );
    expect(queue.data.queue.nodes).toMatchObject([
      { ticketCode: checkIn.data.checkInAppointment.queueEntry.ticketCode, appointment: { id } },
    ]);

    const cancel = await client().mutation(
      gql`
        mutation ($id: ID!) {
          cancelAppointment(id: $id) {
            __typename
            ... on TransitionNotAllowed {
              message
            }
          }
        }
      `,
      { id },
    );
    expect(cancel.data.cancelAppointment.__typename).toBe('TransitionNotAllowed');
  });

  it('holds to REST’s scopes and site: the same refusals, another site’s records absent', async () => {
    const readSchedules = await apiClientKey(server.db, site.site.id, ['schedules:read']);
    const patients = await client(readSchedules).query(gql('{ patients { nodes { id } } }'), {});
    expect(patients.error?.graphQLErrors[0]?.extensions).toMatchObject({ code: 'insufficient-scope' });
    const rest = await fetch(`${server.url}/api/v1/patients`, {
      headers: { authorization: `Bearer ${readSchedules}` },
    });
    expect(rest.status).toBe(403);
    expect(await rest.json()).toMatchObject({ error: { code: 'insufficient-scope' } });
    // What the scope allows still answers in the same request.
    const providers = await client(readSchedules).query(gql('{ providers { nodes { id } } }'), {});
    expect(providers.data.providers.nodes).toMatchObject([{ id: site.provider.id }]);

    const write = await client(readSchedules).mutation(CREATE_PATIENT, {
      input: { givenName: 'No', familyName: 'Scope', dob: '1990-01-01', sex: 'MALE' },
    });
    expect(write.error?.graphQLErrors[0]?.extensions).toMatchObject({ code: 'insufficient-scope' });

    const other = await seedSite(server.db, 'Other Clinic');
    const otherKey = await apiClientKey(server.db, other.site.id);
    const mine = await createPatient('Site-Bound');
    const seen = await client(otherKey).query(gql('query ($id: ID!) { patient(id: $id) { id } }'), { id: mine.id });
    expect(seen.error).toBeUndefined();
    expect(seen.data.patient).toBeNull();

    const anonymous = await client(null).query(gql('{ patients { nodes { id } } }'), {});
    expect(anonymous.error?.graphQLErrors[0]?.extensions).toMatchObject({ code: 'token-missing' });
    const revoked = await post({ query: '{ patients { nodes { id } } }' }, { authorization: 'Bearer msk_not-a-key' });
    expect(revoked.status).toBe(401);
    expect(revoked.body).toMatchObject({ errors: [{ extensions: { code: 'token-invalid' } }] });
  });

  it('audits reads and writes of patient data like REST, one row per request and collection', async () => {
    const patient = await createPatient('Audited');
    await client().query(gql('query ($id: ID!) { patient(id: $id) { id } }'), { id: patient.id });
    const rows = await server.db.query<{ action: string; via: string; record_ids: string[] }>(
      `SELECT action, via, record_ids FROM audit_events WHERE $1 = ANY(record_ids) ORDER BY at`,
      [patient.id],
    );
    expect(rows.map((r) => [r.action, r.via])).toEqual([
      ['write', 'POST /graphql'],
      // urql sends queries as GET when they fit in a URL.
      ['read', 'GET /graphql'],
    ]);
  });

  it('refuses a query too deep or too costly with a clear error, before reading anything', async () => {
    const deep = await post({
      query: `{ patients { nodes { visits { nodes { patient { visits { nodes { patient { visits { nodes { id } } } } } } } } } } }`,
    });
    expect(deep.status).toBe(200);
    expect(deep.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringMatching(/^query is too deep: \d+ levels of nesting, at most 8 allowed$/),
        extensions: expect.objectContaining({ code: 'too-deep' }),
      }),
    ]);
    const costly = await post({
      query: `{ patients(first: 200) { nodes { visits(first: 200) { nodes { id patient { id } } } } } }`,
    });
    expect(costly.body.errors).toEqual([
      expect.objectContaining({
        message: expect.stringContaining('query is too costly'),
        extensions: expect.objectContaining({ code: 'too-costly' }),
      }),
    ]);
  });

  it('never answers a malformed request with a 500', async () => {
    // Each answer says what is wrong, in words an integrator can act on.
    const bad: [string, unknown, RegExp][] = [
      ['invalid JSON', '{"query": ', /not valid JSON/],
      ['no query', {}, /invalid JSON|query/i],
      ['query not a string', { query: 42 }, /"query" param to be a string/],
      ['syntax error', { query: '{ patients { ' }, /^Syntax Error/],
      ['unknown field', { query: '{ doctors { id } }' }, /Cannot query field "doctors"/],
      [
        'wrong variable type',
        { query: 'query ($id: ID!) { patient(id: $id) { id } }', variables: { id: { no: 1 } } },
        /Variable "\$id" got invalid value/,
      ],
      ['bad date', { query: '{ provider(id: "x") { freeSlots(date: "tomorrow") { start } } }' }, /calendar date/],
      ['bad cursor', { query: '{ patients(after: "garbage") { nodes { id } } }' }, /not a cursor this API gave out/],
      ['page too large', { query: '{ patients(first: 100000) { nodes { id } } }' }, /first: Too big/],
      [
        'invalid input',
        {
          query:
            'mutation { createPatient(input: {givenName: "", familyName: "X", dob: "1990-13-45", sex: FEMALE}) { id } }',
        },
        /calendar date/,
      ],
      [
        'many operations, none named',
        { query: 'query A { rooms { nodes { id } } } query B { rooms { nodes { id } } }' },
        /Could not determine what operation to execute/,
      ],
      ['variables not an object', { query: '{ rooms { nodes { id } } }', variables: 'x' }, /"variables" param/],
    ];
    for (const [what, body, says] of bad) {
      const answer = await post(body);
      expect(answer.status, what).toBeLessThan(500);
      const { errors, error } = answer.body as { errors?: { message: string }[]; error?: { message: string } };
      const messages = errors?.map((e) => e.message) ?? [error?.message];
      expect(messages.join(' | '), what).toMatch(says);
    }
    // An id that is no patient's is simply not found, as in REST.
    const notAnId = await post({ query: '{ patient(id: "../../etc") { id } }' });
    expect(notAnId.status).toBe(200);
    expect(notAnId.body).toEqual({ data: { patient: null } });
    const mutationByGet = await fetch(
      `${server.url}/graphql?query=${encodeURIComponent('mutation { cancelAppointment(id: "x") { __typename } }')}`,
      {
        headers: { authorization: `Bearer ${key}` },
      },
    );
    expect(mutationByGet.status).toBeLessThan(500);
  });
});

describe('the published schema', () => {
  const committed = fileURLToPath(new URL('./schema.graphql', import.meta.url));

  it('is served at /graphql/schema.graphql and matches the committed schema.graphql', async () => {
    const served = await (await fetch(`${server.url}/graphql/schema.graphql`)).text();
    // The committed copy is kept in the repository's own format, as `npm run lint` checks every file.
    const expected = await prettier.format(served, { ...(await prettier.resolveConfig(committed)), parser: 'graphql' });
    // After changing the schema: UPDATE_GRAPHQL_SCHEMA=1 npx vitest run sync-server/src/graphql/graphql.test.ts
    if (process.env.UPDATE_GRAPHQL_SCHEMA === '1') await writeFile(committed, expected);
    expect(await readFile(committed, 'utf8')).toBe(expected);
    expect(served).toContain('appointmentUpdated(patientId: ID, providerId: ID): Appointment!');
  });

  it('answers introspection without a key: the schema is public, the data is not', async () => {
    const result = await client(null).query(gql('{ __schema { queryType { name } subscriptionType { name } } }'), {});
    expect(result.data.__schema).toMatchObject({
      queryType: { name: 'Query' },
      subscriptionType: { name: 'Subscription' },
    });
  });
});

describe('GraphiQL', () => {
  /** What the server answers for one of its files, read to the end: a body left unread holds its connection open. */
  async function statusOf(path: string): Promise<number> {
    const response = await fetch(`${server.url}${path}`);
    await response.arrayBuffer();
    return response.status;
  }

  it('is a page whose scripts are all files of this server, under the strict content security policy', async () => {
    const page = await fetch(`${server.url}/graphql/graphiql`);
    expect(page.status).toBe(200);
    const csp = page.headers.get('content-security-policy') ?? '';
    // The server's own policy, unchanged for this page: scripts from this server only, none inline or eval'd.
    expect(csp.split(';').find((d) => d.startsWith('script-src '))).toBe("script-src 'self'");
    const html = await page.text();
    const scripts = [...html.matchAll(/<script([^>]*)>([\s\S]*?)<\/script>/g)];
    expect(scripts.length).toBeGreaterThan(0);
    for (const [, attributes, body] of scripts) {
      expect(body!.trim()).toBe(''); // no inline script
      const src = /src="([^"]+)"/.exec(attributes!)?.[1];
      expect(src).toMatch(/^\/graphql\//);
      expect(await statusOf(src!)).toBe(200);
    }
    for (const href of html.matchAll(/href="([^"]+)"/g)) {
      expect(await statusOf(href[1]!)).toBe(200);
    }
    const start = await (await fetch(`${server.url}/graphql/graphiql/start.js`)).text();
    for (const worker of start.matchAll(/'([\w.]+\.bundle\.js)'/g)) {
      expect(await statusOf(`/graphql/graphiql/assets/monacoeditorwork/${worker[1]}`)).toBe(200);
    }
  });
});
