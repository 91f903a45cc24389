import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import express from 'express';
import type { Logger } from 'pino';
import { Server } from 'socket.io';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { z } from 'zod';
import { apiClientKey } from '#api-clients/testing';
import { TokenService } from '#auth/tokens';
import { serverWrites } from '#billing/accounts';
import { Db } from '#db/db';
import { migrate } from '#db/migrate';
import { createApp, type Renderer } from '#app';
import { errorHandler, HttpError, notFound, parseOrThrow } from '#http/errors';
import { createLogger } from '#logger';
import { seedSite } from '#testing/fixtures';
import { createTestDatabase, type TestDatabase } from '#testing/test-database';
import { startTestServer, type TestServer } from '#testing/test-server';

let server: TestServer;
const cleanup: (() => Promise<void>)[] = [];

beforeAll(async () => {
  server = await startTestServer();
});
afterEach(async () => {
  for (const step of cleanup.splice(0).reverse()) await step();
});
afterAll(async () => {
  await server?.close();
});

async function request(base: string, path: string, init: RequestInit = {}) {
  const response = await fetch(`${base}${path}`, init);
  const text = await response.text();
  return {
    status: response.status,
    headers: response.headers,
    text,
    body: text ? (JSON.parse(text) as unknown) : null,
  };
}

/** The app alone on a listener of its own, for databases the test server does not have, or to read its log. */
async function serveApp(db: Db, options: { log?: Logger; renderers?: Renderer[] } = {}) {
  const log = options.log ?? createLogger('silent');
  const io = new Server();
  const app = createApp({
    db,
    log,
    io,
    tokens: new TokenService('t'.repeat(40)),
    afterWrite: serverWrites('usd'),
    corsOrigins: [],
    renderers: options.renderers ?? [],
  });
  const listener = http.createServer(app);
  io.attach(listener);
  await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
  cleanup.push(async () => {
    listener.closeAllConnections();
    // Closes the listener too.
    await new Promise<void>((resolve) => void io.close(() => resolve()));
    await db.close();
  });
  return `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;
}

describe('health probes', () => {
  it('GET /healthz says the process is up', async () => {
    const response = await request(server.url, '/healthz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ok' });
  });

  it('GET /readyz is 200 when the database is reachable and migrated', async () => {
    const response = await request(server.url, '/readyz');
    expect(response.status).toBe(200);
    expect(response.body).toEqual({ status: 'ready' });
  });

  it('GET /readyz is 503 while the database is not migrated, 200 once it is', async () => {
    const database: TestDatabase = await createTestDatabase();
    cleanup.push(() => database.drop());
    const db = new Db(database.url, createLogger('silent'));
    const base = await serveApp(db);

    const before = await request(base, '/readyz');
    expect(before.status).toBe(503);
    expect(before.body).toEqual({
      error: {
        code: 'not-ready',
        message: 'the database schema is not up to date',
        details: { database: 'not-migrated' },
      },
    });

    await migrate(db, createLogger('silent'));
    expect((await request(base, '/readyz')).status).toBe(200);
    // Liveness does not depend on the database.
    expect((await request(base, '/healthz')).status).toBe(200);
  });

  it('GET /readyz is 503 when the database is down, while /healthz stays 200', async () => {
    // Nothing listens on port 1.
    const db = new Db('postgres://postgres@127.0.0.1:1/medisync', createLogger('silent'));
    const base = await serveApp(db);
    const response = await request(base, '/readyz');
    expect(response.status).toBe(503);
    expect(response.body).toMatchObject({ error: { code: 'not-ready', details: { database: 'unreachable' } } });
    expect((await request(base, '/healthz')).status).toBe(200);
  });
});

describe('errors', () => {
  it('answers malformed JSON with 400 invalid-json', async () => {
    const response = await request(server.url, '/sync/patients/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: '[{"newDocumentState": ',
    });
    expect(response.status).toBe(400);
    expect(response.body).toEqual({
      error: { code: 'invalid-json', message: 'the request body is not valid JSON', details: {} },
    });
  });

  it('answers a body over 1 MB with 413 payload-too-large', async () => {
    const response = await request(server.url, '/sync/patients/push', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify([{ newDocumentState: { notes: 'x'.repeat(1_100_000) } }]),
    });
    expect(response.status).toBe(413);
    expect(response.body).toMatchObject({ error: { code: 'payload-too-large', details: { limitBytes: 1_048_576 } } });
  });

  it('answers unknown routes with a JSON 404', async () => {
    const response = await request(server.url, '/api/v9/nothing?name=Jane');
    expect(response.status).toBe(404);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(response.body).toEqual({
      error: { code: 'not-found', message: 'no route for GET /api/v9/nothing', details: {} },
    });
  });

  it('answers a path whose percent-encoding does not decode with 400 invalid-path, logging no error', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const dir = await mkdtemp(join(tmpdir(), 'medisync-renderer-'));
    cleanup.push(() => rm(dir, { recursive: true, force: true }));
    await writeFile(join(dir, 'index.html'), '<!doctype html><title>Desk</title>');
    const base = await serveApp(new Db(server.databaseUrl, createLogger('silent')), {
      log: createLogger('info', sink),
      renderers: [{ mount: '/app/desktop', dir }],
    });
    const { site } = await seedSite(server.db);
    const key = await apiClientKey(server.db, site.id);
    const invalidPath = {
      code: 'invalid-path',
      message: 'the request path is not valid percent-encoded UTF-8',
      details: {},
    };

    for (const [method, path] of [
      ['POST', '/sync/%c0%ae/push'],
      ['GET', '/sync/%E0%A4%A/pull'],
      ['GET', '/api/v1/patients/%E0%A4%A'],
      ['GET', '/app/desktop/%c0%ae'],
      ['GET', '/app/desktop/queue/%E0%A4%A'],
    ] as const) {
      const response = await request(base, path, {
        method,
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        ...(method === 'POST' ? { body: '[]' } : {}),
      });
      expect({ path, status: response.status }).toEqual({ path, status: 400 });
      expect(response.headers.get('content-type')).toMatch(/^application\/json/);
      expect(response.body).toEqual({ error: invalidPath });
    }

    const fhir = await request(base, '/fhir/R4/Patient/%c0%ae', { headers: { authorization: `Bearer ${key}` } });
    expect(fhir.status).toBe(400);
    expect(fhir.headers.get('content-type')).toMatch(/^application\/fhir\+json/);
    expect(fhir.body).toMatchObject({
      resourceType: 'OperationOutcome',
      issue: [{ severity: 'error', code: 'invalid', details: { coding: [{ code: 'invalid-path' }] } }],
    });

    expect(lines.filter((l) => (l.level as number) >= 50)).toEqual([]);
  });

  it('gives every answer a request id, keeping a safe one from the caller', async () => {
    const generated = await request(server.url, '/healthz');
    expect(generated.headers.get('x-request-id')).toMatch(/^[0-9a-f-]{36}$/);
    const kept = await request(server.url, '/healthz', { headers: { 'x-request-id': 'lb-1234.abc' } });
    expect(kept.headers.get('x-request-id')).toBe('lb-1234.abc');
    const replaced = await request(server.url, '/healthz', { headers: { 'x-request-id': '<script>' } });
    expect(replaced.headers.get('x-request-id')).not.toBe('<script>');
  });

  it('sends security headers', async () => {
    const response = await request(server.url, '/healthz');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    expect(response.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(response.headers.get('x-powered-by')).toBeNull();
  });

  it('turns a bug into a plain 500 without a stack trace (logged with the request id), and names bad fields with a 400', async () => {
    const lines: Record<string, unknown>[] = [];
    const sink = new Writable({
      write(chunk: Buffer, _encoding, done) {
        lines.push(JSON.parse(chunk.toString()) as Record<string, unknown>);
        done();
      },
    });
    const log = createLogger('info', sink);
    const app = express();
    app.use(express.json());
    app.use((_req, res, next) => {
      res.locals.requestId = 'req-42';
      next();
    });
    app.get('/boom', () => {
      throw new Error('cannot read properties of undefined (reading "mrn")');
    });
    app.post('/visits', (req, res) => {
      const body = parseOrThrow(
        z.object({ visitType: z.string().min(1), minutes: z.number().int() }),
        req.body,
        'visit',
      );
      res.json(body);
    });
    app.get('/teapot', () => {
      throw new HttpError(418, 'teapot', 'this is a teapot', { field: 'kettle' });
    });
    app.use(notFound);
    app.use(errorHandler(log));
    const listener = http.createServer(app);
    await new Promise<void>((resolve) => listener.listen(0, '127.0.0.1', resolve));
    cleanup.push(() => new Promise<void>((resolve) => listener.close(() => resolve())));
    const base = `http://127.0.0.1:${(listener.address() as AddressInfo).port}`;

    const boom = await request(base, '/boom');
    expect(boom.status).toBe(500);
    expect(boom.body).toEqual({
      error: {
        code: 'internal-error',
        message: 'something went wrong on the server',
        details: { requestId: 'req-42' },
      },
    });
    expect(boom.text).not.toMatch(/at .*\.ts|Error:|mrn/);
    const logged = lines.find((l) => l.msg === 'unexpected error while handling a request');
    expect(logged).toMatchObject({
      level: 50,
      requestId: 'req-42',
      path: '/boom',
      error: { type: 'Error', message: expect.stringContaining('reading') as unknown },
    });
    expect(JSON.stringify(logged)).toContain('at ');

    const teapot = await request(base, '/teapot');
    expect(teapot.status).toBe(418);
    expect(teapot.body).toEqual({
      error: { code: 'teapot', message: 'this is a teapot', details: { field: 'kettle' } },
    });

    const invalid = await request(base, '/visits', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ visitType: '', minutes: 'ten' }),
    });
    expect(invalid.status).toBe(400);
    expect(invalid.body).toMatchObject({
      error: {
        code: 'invalid-request',
        message: expect.stringMatching(/^invalid visit: visitType: .+; minutes: .+/) as unknown,
        details: { issues: [{ path: 'visitType' }, { path: 'minutes' }] },
      },
    });
  });
});

describe('CORS', () => {
  it('allows only the configured origins', async () => {
    const cors = await startTestServer({ corsOrigins: ['https://desk.example.org'] });
    cleanup.push(() => cors.close());
    const allowed = await request(cors.url, '/healthz', { headers: { origin: 'https://desk.example.org' } });
    expect(allowed.headers.get('access-control-allow-origin')).toBe('https://desk.example.org');
    const other = await request(cors.url, '/healthz', { headers: { origin: 'https://evil.example.com' } });
    expect(other.headers.get('access-control-allow-origin')).toBeNull();
    // Without configured origins nothing cross-origin is allowed.
    const none = await request(server.url, '/healthz', { headers: { origin: 'https://desk.example.org' } });
    expect(none.headers.get('access-control-allow-origin')).toBeNull();
  });

  it("always allows MediSync's own Electron apps, whose pages come from app://", async () => {
    for (const origin of ['app://desktop', 'app://kiosk']) {
      const response = await request(server.url, '/healthz', { headers: { origin } });
      expect(response.headers.get('access-control-allow-origin')).toBe(origin);
    }
    const lookalike = await request(server.url, '/healthz', { headers: { origin: 'app://evil' } });
    expect(lookalike.headers.get('access-control-allow-origin')).toBeNull();
  });
});
