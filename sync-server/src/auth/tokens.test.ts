import { afterEach, describe, expect, it, vi } from 'vitest';
import { newId } from '@medisync/shared/domain';
import { InvalidTokenError, TokenService } from './tokens.js';

const tokens = new TokenService('a secret that is long enough to sign tokens with');
const principal = { kind: 'device' as const, id: newId(), role: 'kiosk' as const, siteId: newId() };

const refusal = (promise: Promise<unknown>) =>
  promise.then(
    () => 'accepted',
    (error: unknown) => (error instanceof InvalidTokenError ? error.reason : String(error)),
  );

afterEach(() => {
  vi.useRealTimers();
});

// A server checks each token's signature once and remembers it (tokens.ts); what it remembers must
// never let in a token it would refuse when seeing it for the first time.
describe('verified tokens', () => {
  it('accepts the same token again and again, and refuses it from the second it expires', async () => {
    vi.useFakeTimers({ toFake: ['Date'], now: new Date('2026-12-03T09:00:00.000Z') });
    const token = await tokens.sign(principal, 60);
    for (let i = 0; i < 3; i++) expect(await tokens.verify(token)).toMatchObject(principal);

    vi.setSystemTime(new Date('2026-12-03T09:00:59.000Z'));
    expect(await tokens.verify(token)).toMatchObject(principal);
    vi.setSystemTime(new Date('2026-12-03T09:01:00.000Z'));
    expect(await refusal(tokens.verify(token))).toBe('expired');
    expect(await refusal(tokens.verify(token))).toBe('expired');
  });

  it('refuses a token for another use, also once it has been accepted for its own', async () => {
    const token = await tokens.sign(principal, 60, { use: 'enrolment' });
    expect(await refusal(tokens.verify(token))).toBe('invalid');
    expect(await tokens.verify(token, 'enrolment')).toMatchObject(principal);
    expect(await refusal(tokens.verify(token))).toBe('invalid');
  });

  it('refuses a token with one character changed after accepting the original', async () => {
    const token = await tokens.sign(principal, 60);
    await tokens.verify(token);
    const last = token.at(-2) === 'A' ? 'B' : 'A';
    expect(await refusal(tokens.verify(`${token.slice(0, -2)}${last}${token.at(-1)}`))).toBe('invalid');
  });

  it('hands out what a token says in a form no request can change for the next one', async () => {
    const token = await tokens.sign(principal, 60);
    const first = await tokens.verify(token);
    expect(() => Object.assign(first, { role: 'admin' })).toThrow(TypeError);
    expect((await tokens.verify(token)).role).toBe('kiosk');
  });
});
