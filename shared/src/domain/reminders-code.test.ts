import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { addDays } from './time.js';
import {
  APPOINTMENT_CODE_ALPHABET,
  appointmentCodeHash,
  checkAppointmentCode,
  formatAppointmentCode,
  normalizeAppointmentCode,
} from './reminders-code.js';

const SITE = '01900000-0000-7000-8000-000000000001';
const bytes = (...values: number[]) => Uint8Array.from(values);

describe('appointment codes', () => {
  it('are nine symbols in three groups, the first naming the day of the month', () => {
    const code = formatAppointmentCode('2026-03-02', bytes(0, 0, 0, 0, 1));
    expect(code).toBe('200-000-001');
    expect(formatAppointmentCode('2026-03-31', bytes(255, 255, 255, 255, 255))).toBe('ZZZ-ZZZ-ZZZ');
  });

  it('check in on their own day, typed in any case, without dashes, with O for 0 and I or L for 1', () => {
    const code = formatAppointmentCode('2026-03-02', bytes(12, 200, 7, 99, 1));
    const hash = appointmentCodeHash(SITE, '2026-03-02', code);
    const typed = code.toLowerCase().replace(/-/g, ' ').replace(/0/g, 'o').replace(/1/g, 'l');
    expect(checkAppointmentCode(typed, SITE, '2026-03-02')).toEqual({ ok: true, hash });
  });

  it('are refused as "another day" on every other date, and their hash matches at no other site or date', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), fc.integer({ min: 1, max: 400 }), (random, shift) => {
        const day = '2026-03-02';
        const other = addDays(day, shift);
        const code = formatAppointmentCode(day, random);
        const check = checkAppointmentCode(code, SITE, other);
        // Day 2 of another month carries the same mark; its hash still differs.
        if (check.ok) expect(check.hash).not.toBe(appointmentCodeHash(SITE, day, code));
        else expect(check.reason).toBe('other-day');
        expect(appointmentCodeHash('01900000-0000-7000-8000-000000000002', day, code)).not.toBe(
          appointmentCodeHash(SITE, day, code),
        );
      }),
    );
  });

  it('refuses what cannot be a code', () => {
    for (const typed of ['', '12345678', '1234567890', 'ABC-DEF-GHU', 'ÄBC-DEF-GHJ']) {
      expect(normalizeAppointmentCode(typed)).toBeNull();
      expect(checkAppointmentCode(typed, SITE, '2026-03-02')).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('use only the unambiguous alphabet', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 5, maxLength: 5 }), (random) => {
        const symbols = formatAppointmentCode('2026-12-24', random).replace(/-/g, '');
        expect([...symbols].every((s) => APPOINTMENT_CODE_ALPHABET.includes(s))).toBe(true);
        expect(symbols).not.toMatch(/[ILOU]/);
      }),
    );
  });
});
