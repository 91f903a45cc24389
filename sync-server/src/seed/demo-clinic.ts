import {
  changeRecord,
  DEFAULT_CHECK_IN_SETTINGS,
  createRecord,
  HybridClock,
  hlcToIso,
  localDateAt,
  localTimeAt,
  parseRecord,
  transitionRecord,
  zonedTimeToUtc,
  type Actor,
  type Appointment,
  type CollectionName,
  type Patient,
  type Provider,
  type QueueEntry,
  type RecordTypes,
  type Room,
  type Schedule,
} from '@medisync/shared/domain';
import {
  appointmentNotes,
  areaCodes,
  languageWeights,
  medicare,
  namesByLanguage,
  payers,
  streetAreas,
  type DemoLanguage,
} from './demo-people.js';

/** A source of numbers in [0, 1); the demo clinic is the same for the same sequence. */
export type Random = () => number;

/** mulberry32: small, fast and good enough to make a believable clinic. */
export function seededRandom(seed: number): Random {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

export const DEMO_SEED = 20_261_122;
export const DEMO_TIMEZONE = 'America/New_York';
export const DEMO_PATIENT_COUNT = 300;

/**
 * A fixed-offset zone (`Etc/GMT±n`) in which `now` falls between 06:00 and
 * 07:00, an hour before the demo's first visits: built at any hour, the
 * clinic has its whole day booked ahead, nobody has arrived yet, every room
 * is free, and midnight is seventeen hours away. Tests and benchmarks use it,
 * so what they find does not depend on the hour they run at.
 */
export function clinicMorningTimezone(now: Date): string {
  // UTC offsets of whole hours from -12 to +11 cover every hour of the day once.
  const offset = ((((6 - now.getUTCHours() + 12) % 24) + 24) % 24) - 12;
  // The Etc zones' signs are POSIX's: Etc/GMT+5 lies five hours behind UTC.
  return offset === 0 ? 'Etc/GMT' : `Etc/GMT${offset > 0 ? '-' : '+'}${Math.abs(offset)}`;
}
/** Eight weeks of weekdays: enough visits for the no-show model to learn the site's patterns from. */
const HISTORY_WEEKDAYS = 40;

export type DemoClinic = { [K in CollectionName]: RecordTypes[K][] };

const MINUTE = 60_000;
const DAY = 24 * 60 * MINUTE;

const seedActor: Actor = { id: 'seed', role: 'server', source: 'server' };
/** Check-ins in the demo happened at the desk or at the kiosk, as they would in the clinic. */
const checkInActor = (source: 'desk' | 'kiosk'): Actor => ({ id: 'seed', role: 'server', source });

interface ProviderPlan {
  displayName: string;
  specialty: string;
  slotMinutes: number;
  /** Working hours on each weekday, a lunch break between the two ranges. */
  hours: readonly (readonly [string, string])[];
  /** How many appointments the provider has today. */
  bookedToday: number;
  /** Pediatrics sees children, everyone else adults. */
  seesChildren: boolean;
  visitTypes: readonly string[];
  room: string;
}

const providerPlans: readonly ProviderPlan[] = [
  {
    displayName: 'Dr. Maria Alvarez',
    specialty: 'Family Medicine',
    slotMinutes: 20,
    hours: [
      ['08:00', '12:00'],
      ['13:00', '17:00'],
    ],
    bookedToday: 21,
    seesChildren: false,
    visitTypes: ['follow-up', 'annual-physical', 'sick-visit', 'new-patient', 'medication-review', 'vaccination'],
    room: 'Exam 1',
  },
  {
    displayName: 'Dr. James Chen',
    specialty: 'Internal Medicine',
    slotMinutes: 30,
    hours: [
      ['08:30', '12:30'],
      ['13:30', '17:00'],
    ],
    bookedToday: 13,
    seesChildren: false,
    visitTypes: ['follow-up', 'annual-physical', 'new-patient', 'chronic-care', 'medication-review'],
    room: 'Exam 2',
  },
  {
    displayName: 'Dr. Aisha Okafor',
    specialty: 'Pediatrics',
    slotMinutes: 15,
    hours: [
      ['08:00', '12:00'],
      ['12:30', '16:00'],
    ],
    bookedToday: 26,
    seesChildren: true,
    visitTypes: ['well-child', 'sick-visit', 'vaccination', 'follow-up', 'sports-physical'],
    room: 'Exam 3',
  },
  {
    displayName: 'Sarah Kim, NP',
    specialty: 'Family Nurse Practitioner',
    slotMinutes: 20,
    hours: [
      ['09:30', '13:00'],
      ['13:30', '18:00'],
    ],
    bookedToday: 20,
    seesChildren: false,
    visitTypes: ['sick-visit', 'follow-up', 'vaccination', 'medication-review', 'new-patient'],
    room: 'Exam 4',
  },
];

/** Visits that take two slots when the next one is free. */
const LONG_VISITS = new Set(['new-patient', 'annual-physical', 'well-child']);

const roomPlans: readonly Pick<Room, 'name' | 'kind' | 'equipment'>[] = [
  { name: 'Exam 1', kind: 'exam', equipment: ['Exam table', 'Otoscope', 'Ophthalmoscope', 'Blood pressure monitor'] },
  { name: 'Exam 2', kind: 'exam', equipment: ['Exam table', 'ECG machine', 'Blood pressure monitor'] },
  { name: 'Exam 3', kind: 'exam', equipment: ['Pediatric exam table', 'Infant scale', 'Otoscope', 'Vision chart'] },
  { name: 'Exam 4', kind: 'exam', equipment: ['Exam table', 'Otoscope', 'Blood pressure monitor'] },
  {
    name: 'Procedure Room',
    kind: 'procedure',
    equipment: ['Procedure table', 'Autoclave', 'Cryotherapy unit', 'Suture kit'],
  },
  { name: 'Lab', kind: 'lab', equipment: ['Phlebotomy chair', 'Centrifuge', 'Specimen refrigerator'] },
];

/**
 * Builds the demo clinic, "Riverside Family Clinic" in New York, as it stands
 * at the instant `today`: four providers with weekly schedules, six rooms,
 * about 300 patients, about 80 appointments today and a few hundred in the
 * weeks before. Today's appointments that have passed are mostly fulfilled
 * (some no-shows and cancellations), those under way or about to start are
 * checked in and waiting, called or in a room, with ticket codes from A-001;
 * later ones are booked. No timestamp lies after `today`.
 *
 * `timezone` (New York's unless given) decides which day is today and when
 * its hours fall; `clinicMorningTimezone` picks one where `today` is early
 * morning, for a demo with its day ahead of it at any hour.
 *
 * Pure: the same `today` and the same random sequence give the same records,
 * ids included. MRNs are left pending: only the server hands them out.
 */
export function buildDemoClinic(options: { today: Date; timezone?: string; random?: Random }): DemoClinic {
  const now = options.today.getTime();
  const rng = new Rng(options.random ?? seededRandom(DEMO_SEED));
  const timezone = options.timezone ?? DEMO_TIMEZONE;
  const localToday = localDateAt(options.today, timezone);
  const setupAt = now - 400 * DAY;
  const at = (date: string, time: string) => zonedTimeToUtc(date, time, timezone).getTime();

  const site = createRecord(
    'sites',
    {
      id: rng.uuid(setupAt),
      name: 'Riverside Family Clinic',
      timezone,
      queuePrefixes: { reception: 'A', lab: 'L' },
      // The demo shows the whole lobby: patients without an appointment may register at the kiosk.
      checkIn: { ...DEFAULT_CHECK_IN_SETTINGS, walkIns: true },
      // Reminders 48 and 2 hours ahead, none at night (sent only where a channel is configured and a patient agreed).
      reminders: {
        enabled: true,
        minutesBefore: [2880, 120],
        quietHours: { start: '21:00', end: '08:00' },
        almostTurnSms: true,
      },
      address: {
        line1: '120 Riverside Drive',
        line2: null,
        city: 'New York',
        region: 'NY',
        postalCode: '10024',
        country: 'US',
      },
    },
    clockAt(setupAt),
    seedActor,
  );

  const rooms = roomPlans.map((plan) => newRoom({ id: rng.uuid(setupAt), siteId: site.id, ...plan }, setupAt));
  const roomByName = new Map(rooms.map((room) => [room.name, room]));

  const providers = providerPlans.map((plan) =>
    createRecord(
      'providers',
      {
        id: rng.uuid(setupAt),
        siteIds: [site.id],
        displayName: plan.displayName,
        specialty: plan.specialty,
        active: true,
      },
      clockAt(setupAt),
      seedActor,
    ),
  );

  const weekend = [0, 6].includes(weekdayOf(localToday));
  const schedules = providerPlans.map((plan, i) => {
    const exceptions: Schedule['exceptions'] = [];
    if (weekend) {
      // The schedules are Monday to Friday; a demo started at the weekend still gets a working day.
      for (const [start, end] of plan.hours) {
        exceptions.push({ date: localToday, kind: 'extra', start, end, reason: 'Weekend clinic' });
      }
    }
    if (plan.specialty === 'Internal Medicine') {
      exceptions.push({
        date: nextWeekday(localToday, 5),
        kind: 'block',
        start: plan.hours[1]![0],
        end: plan.hours[1]![1],
        reason: 'Conference',
      });
    }
    return createRecord(
      'schedules',
      {
        id: rng.uuid(setupAt),
        siteId: site.id,
        providerId: providers[i]!.id,
        slotMinutes: plan.slotMinutes,
        weeklyHours: [1, 2, 3, 4, 5].flatMap((weekday) => plan.hours.map(([start, end]) => ({ weekday, start, end }))),
        exceptions,
      },
      clockAt(setupAt),
      seedActor,
    );
  });

  const patients = makePatients(rng, site.id, localToday, now);
  const children = patients.filter((p) => p.active && ageOn(p.dob, localToday) < 18);
  const adults = patients.filter((p) => p.active && ageOn(p.dob, localToday) >= 18);

  // Appointments: past weekdays first, then today.
  const appointments: Appointment[] = [];
  const queueEntries: QueueEntry[] = [];
  const pastDays = previousWeekdays(localToday, HISTORY_WEEKDAYS);
  const priorNoShows = new Map<string, number>();
  for (const day of pastDays) {
    const noShowsToday: string[] = [];
    providerPlans.forEach((plan, i) => {
      const slots = daySlots(plan, day, at);
      const picked = rng.sample(slots.length, Math.min(slots.length, rng.int(6, 10))).sort((a, b) => a - b);
      for (const index of picked) {
        const slot = slots[index]!;
        const patient = rng.pick(plan.seesChildren ? children : adults);
        const visitType = rng.pick(plan.visitTypes);
        const bookedAt = bookingTime(rng, slot.start, now);
        // Reminders go out two days ahead; about half the patients confirm.
        const confirmedAt = rng.chance(0.5)
          ? Math.max(bookedAt, slot.start - 2 * DAY) + rng.int(1, 600) * MINUTE
          : null;
        const chance = noShowChance({
          leadDays: (slot.start - bookedAt) / DAY,
          priorNoShows: priorNoShows.get(patient.id) ?? 0,
          weekday: weekdayOf(day),
          localHour: Number(localTimeAt(new Date(slot.start), timezone).slice(0, 2)),
          visitType,
          confirmed: confirmedAt !== null && confirmedAt < slot.start,
        });
        const outcome = rng.chance(0.08) ? 'cancelled' : rng.chance(chance) ? 'noshow' : 'fulfilled';
        if (outcome === 'noshow') noShowsToday.push(patient.id);
        appointments.push(
          pastAppointment(rng, {
            siteId: site.id,
            patient,
            providerId: providers[i]!.id,
            roomId: roomByName.get(plan.room)!.id,
            start: slot.start,
            end: slot.end,
            visitType,
            outcome,
            bookedAt,
            confirmedAt: confirmedAt !== null && confirmedAt < slot.start ? confirmedAt : null,
            now,
          }),
        );
      }
    });
    for (const id of noShowsToday) priorNoShows.set(id, (priorNoShows.get(id) ?? 0) + 1);
  }

  const today = bookToday(rng, {
    siteId: site.id,
    providers,
    localToday,
    at,
    children,
    adults,
    roomByName,
    now,
  });
  appointments.push(...today.appointments);
  queueEntries.push(...today.queueEntries);

  // Drawn last, from a sequence of their own, so the rest of the clinic is the same with or without them.
  queueEntries.push(
    ...pastQueues(new Rng(seededRandom(Math.floor(rng.next() * 2 ** 32))), appointments, localToday, timezone),
  );

  const occupied = new Set(today.queueEntries.filter((q) => q.status === 'in-room').map((q) => q.roomId));
  const roomsNow = rooms.map((room) => (occupied.has(room.id) ? setRoomStatus(room, 'occupied', now - MINUTE) : room));

  return {
    sites: [site],
    providers,
    rooms: roomsNow,
    schedules,
    patients,
    appointments,
    queueEntries,
    ledger: demoFeeSchedule(rng, site.id, setupAt),
    // The server raises notices as things happen; a new clinic has none.
    notices: [],
  };
}

/** What each visit type costs a patient without insurance (docs/architecture.md §9.7): the demo's fee schedule. */
const DEMO_FEES: [visitType: string, description: string, cents: number][] = [
  ['new-patient', 'New patient visit', 18000],
  ['annual-physical', 'Annual physical', 16500],
  ['follow-up', 'Follow-up visit', 9500],
  ['sick-visit', 'Sick visit', 11000],
  ['medication-review', 'Medication review', 8500],
  ['chronic-care', 'Chronic care visit', 12500],
  ['vaccination', 'Vaccination visit', 4500],
  ['well-child', 'Well-child visit', 12000],
  ['sports-physical', 'Sports physical', 7500],
];

function demoFeeSchedule(rng: { uuid: (ms: number) => string }, siteId: string, setupAt: number) {
  return DEMO_FEES.map(([visitType, description, amountCents]) =>
    createRecord(
      'ledger',
      {
        id: rng.uuid(setupAt),
        kind: 'fee',
        siteId,
        visitType,
        description,
        amountCents,
        currency: 'usd',
        active: true,
      } as never,
      clockAt(setupAt),
      seedActor,
    ),
  );
}

// ------------------------------------------------------------------- rooms

/*
 * A room's `status` is a plain last-writer-wins field, but the domain's
 * createRecord/changeRecord treat every field named `status` as lifecycle
 * state and refuse to set it, so rooms are put together here and checked
 * against their schema.
 */
function newRoom(
  fields: Omit<Room, 'clocks' | 'attention' | 'needsAttention' | 'status' | 'equipment'> & {
    equipment: readonly string[];
  },
  ms: number,
): Room {
  const hlc = clockAt(ms).tick();
  const room = {
    ...fields,
    equipment: [...fields.equipment],
    status: 'available' as const,
    clocks: { siteId: hlc, name: hlc, kind: hlc, equipment: hlc, status: hlc },
    attention: {},
    needsAttention: false,
  };
  return checked('rooms', room);
}

function setRoomStatus(room: Room, status: Room['status'], ms: number): Room {
  const hlc = clockAt(ms).tickAfter(room.clocks.status);
  return checked('rooms', { ...room, status, clocks: { ...room.clocks, status: hlc } });
}

function checked<K extends CollectionName>(name: K, record: RecordTypes[K]): RecordTypes[K] {
  const parsed = parseRecord(name, record);
  if (!parsed.ok)
    throw new Error(
      `demo ${name} record is invalid: ${parsed.issues.map((i) => `${i.path}: ${i.message}`).join('; ')}`,
    );
  return parsed.record;
}

// ---------------------------------------------------------------- patients

function makePatients(rng: Rng, siteId: string, localToday: string, now: number): Patient[] {
  const identities = new Set<string>();
  const patients: Patient[] = [];
  const year = Number(localToday.slice(0, 4));
  while (patients.length < DEMO_PATIENT_COUNT) {
    const origin = rng.weighted(languageWeights);
    const names = namesByLanguage[origin];
    const sexRoll = rng.next();
    const sex = sexRoll < 0.49 ? 'female' : sexRoll < 0.98 ? 'male' : sexRoll < 0.99 ? 'other' : 'unknown';
    const given = rng.pick(
      sex === 'male' ? names.male : sex === 'female' ? names.female : [...names.female, ...names.male],
    );
    const family = rng.pick(names.family);
    const child = rng.chance(0.22);
    const age = child ? rng.int(0, 17) : rng.chance(0.25) ? rng.int(65, 94) : rng.int(18, 64);
    const dob = `${year - age - 1 + (rng.chance(0.5) ? 1 : 0)}-${pad(rng.int(1, 12))}-${pad(rng.int(1, 28))}`;
    // One patient per family name and birth date, or the server would flag them as probable duplicates.
    const identity = `${family.toLowerCase()}|${dob}`;
    if (identities.has(identity) || dob > localToday) continue;
    identities.add(identity);

    const registeredAt = now - rng.int(60, 6 * 365) * DAY - rng.int(0, 8 * 60) * MINUTE;
    // Many patients from Spanish-, Chinese- or French-speaking families prefer English.
    const preferredLanguage: DemoLanguage = origin === 'en' || rng.chance(0.3) ? 'en' : origin;
    const area = rng.weighted(streetAreas);
    const payer = age >= 65 && rng.chance(0.8) ? medicare : rng.weighted(payers);
    const inactive = patients.length % 120 === 119;
    patients.push(
      createRecord(
        'patients',
        {
          id: rng.uuid(registeredAt),
          siteId,
          mrn: null,
          givenName: given,
          familyName: family,
          dob,
          sex,
          phone: rng.chance(0.95) ? `(${rng.pick(areaCodes)}) 555-01${pad(rng.int(0, 99))}` : null,
          email: rng.chance(child ? 0.3 : 0.7)
            ? `${ascii(given)}.${ascii(family)}${rng.int(1, 99)}@example.${rng.pick(['com', 'org', 'net'])}`
            : null,
          address: rng.chance(0.92)
            ? {
                line1: `${rng.int(1, 980)} ${rng.pick(area.streets)}`,
                line2: rng.chance(0.55) ? `Apt ${rng.int(1, 21)}${rng.pick(['A', 'B', 'C', 'D', 'F', 'K'])}` : null,
                city: area.city,
                region: area.region,
                postalCode: rng.pick(area.postalCodes),
                country: 'US',
              }
            : null,
          preferredLanguage,
          insurance: rng.chance(0.88)
            ? {
                payer: payer.name,
                memberId: `${payer.memberIdPrefix}${rng.digits(9)}`,
                groupNumber: payer.hasGroup ? `${rng.int(100, 999)}${rng.digits(5)}` : null,
              }
            : null,
          active: !inactive,
          mergedInto: null,
        },
        clockAt(registeredAt),
        seedActor,
      ),
    );
  }
  return patients;
}

// ------------------------------------------------------------ appointments

interface Slot {
  start: number;
  end: number;
}

function daySlots(plan: ProviderPlan, date: string, at: (date: string, time: string) => number): Slot[] {
  const slots: Slot[] = [];
  for (const [from, to] of plan.hours) {
    const end = at(date, to);
    for (let start = at(date, from); start + plan.slotMinutes * MINUTE <= end; start += plan.slotMinutes * MINUTE) {
      slots.push({ start, end: start + plan.slotMinutes * MINUTE });
    }
  }
  return slots;
}

interface NewAppointment {
  siteId: string;
  patient: Patient;
  providerId: string;
  start: number;
  end: number;
  visitType: string;
  bookedAt: number;
  rng: Rng;
}

function bookAppointment(a: NewAppointment): Appointment {
  const insured = a.patient.insurance !== null;
  const publicPlan = insured && a.patient.insurance!.groupNumber === null;
  return createRecord(
    'appointments',
    {
      id: a.rng.uuid(a.bookedAt),
      siteId: a.siteId,
      patientId: a.patient.id,
      providerId: a.providerId,
      roomId: null,
      start: iso(a.start),
      end: iso(a.end),
      visitType: a.visitType,
      status: 'booked',
      copayCents: !insured ? null : publicPlan ? 0 : a.rng.pick([1500, 2000, 2500, 3000, 4000]),
      notes: a.rng.chance(0.12)
        ? a.rng.pick(appointmentNotes)
        : a.patient.preferredLanguage !== 'en' && a.rng.chance(0.5)
          ? `Interpreter requested (${a.patient.preferredLanguage})`
          : null,
    },
    clockAt(a.bookedAt),
    seedActor,
  );
}

/**
 * How likely a demo patient is to miss a visit, after what clinics report: the
 * further ahead it was booked, the likelier; a patient who missed before
 * misses again; Mondays and Fridays, first thing and late in the day are worse;
 * a sick visit is rarely missed, a routine follow-up or medication review more
 * often; confirming a reminder helps most. About one visit in seven is missed.
 * The no-show model (no-show/model.ts) is not told these weights: it has to
 * find them in the history they produce.
 */
function noShowChance(v: {
  leadDays: number;
  priorNoShows: number;
  weekday: number;
  localHour: number;
  visitType: string;
  confirmed: boolean;
}): number {
  const visit: Record<string, number> = {
    'sick-visit': -1.1,
    'well-child': -0.5,
    vaccination: -0.3,
    'annual-physical': -0.2,
    'sports-physical': 0,
    'new-patient': 0.3,
    'chronic-care': 0.3,
    'follow-up': 0.4,
    'medication-review': 0.6,
  };
  const z =
    -3.9 +
    0.6 * Math.log1p(v.leadDays) +
    1.3 * Math.min(v.priorNoShows, 2) +
    (v.weekday === 1 || v.weekday === 5 ? 0.45 : 0) +
    (v.localHour < 9 ? 0.35 : v.localHour >= 15 ? 0.55 : 0) +
    (visit[v.visitType] ?? 0) -
    (v.confirmed ? 1.3 : 0);
  return 1 / (1 + Math.exp(-z));
}

/** When a visit was booked: days to weeks ahead, during office hours, never after `now`. */
function bookingTime(rng: Rng, start: number, now: number): number {
  const ahead = start - rng.int(1, 30) * DAY - rng.int(0, 8 * 60) * MINUTE;
  return Math.min(ahead, now - rng.int(60, 600) * MINUTE);
}

function pastAppointment(
  rng: Rng,
  a: {
    siteId: string;
    patient: Patient;
    providerId: string;
    roomId: string;
    start: number;
    end: number;
    visitType: string;
    outcome: 'fulfilled' | 'noshow' | 'cancelled';
    bookedAt: number;
    /** When the patient confirmed from a reminder, if they did. */
    confirmedAt: number | null;
    now: number;
  },
): Appointment {
  const bookedAt = a.bookedAt;
  let record = bookAppointment({ ...a, bookedAt, rng });
  if (a.confirmedAt !== null) {
    record = changeRecord('appointments', record, { reminderConfirmedAt: iso(a.confirmedAt) }, clockAt(a.confirmedAt));
  }
  if (a.outcome === 'cancelled') {
    const cancelledAt = bookedAt + Math.floor((a.start - bookedAt) * rng.between(0.3, 0.95));
    return transitionRecord('appointments', record, 'cancelled', clockAt(cancelledAt), seedActor);
  }
  if (a.outcome === 'noshow') {
    return transitionRecord('appointments', record, 'noshow', clockAt(a.start + rng.int(15, 30) * MINUTE), seedActor);
  }
  const arrivedAt = a.start - rng.int(3, 15) * MINUTE;
  const roomedAt = a.start + rng.int(0, 5) * MINUTE;
  record = transitionRecord('appointments', record, 'checked-in', clockAt(arrivedAt), checkInActor(arrivalSource(rng)));
  record = changeRecord('appointments', record, { roomId: a.roomId }, clockAt(roomedAt));
  const doneAt = Math.min(a.end + rng.int(0, 8) * MINUTE, a.now - MINUTE);
  return transitionRecord('appointments', record, 'fulfilled', clockAt(Math.max(doneAt, roomedAt + MINUTE)), seedActor);
}

/**
 * The reception queue of each past day, from its fulfilled visits: each
 * patient took a ticket on arrival, was called a few minutes before the visit
 * began and left the room when it ended, so the reports have waits to show
 * for weeks, not only today.
 */
function pastQueues(
  rng: Rng,
  appointments: readonly Appointment[],
  localToday: string,
  timezone: string,
): QueueEntry[] {
  const eventAt = (a: Appointment, to: string) => {
    const event = a.statusLog.find((e) => e.to === to);
    return event === undefined ? null : Date.parse(hlcToIso(event.hlc));
  };
  const byDay = new Map<string, Appointment[]>();
  for (const a of appointments) {
    const day = localDateAt(new Date(a.start), timezone);
    if (a.status !== 'fulfilled' || day >= localToday || a.roomId === null) continue;
    byDay.set(day, [...(byDay.get(day) ?? []), a]);
  }
  const entries: QueueEntry[] = [];
  for (const visits of byDay.values()) {
    const arrivals = visits
      .map((a) => ({ a, arrivedAt: eventAt(a, 'checked-in')!, doneAt: eventAt(a, 'fulfilled')! }))
      .sort((x, y) => x.arrivedAt - y.arrivedAt);
    arrivals.forEach(({ a, arrivedAt, doneAt }, index) => {
      const roomedAt = Date.parse(hlcToIso(a.clocks.roomId!));
      const calledAt = Math.max(arrivedAt + MINUTE, roomedAt - rng.int(1, 3) * MINUTE);
      let entry = createRecord(
        'queueEntries',
        {
          id: rng.uuid(arrivedAt),
          siteId: a.siteId,
          appointmentId: a.id,
          patientId: a.patientId,
          queue: 'reception',
          ticketCode: `A-${String(index + 1).padStart(3, '0')}`,
          priority: 'normal',
          status: 'waiting',
          checkedInAt: iso(arrivedAt),
          roomId: null,
        },
        clockAt(arrivedAt),
        checkInActor(a.checkInSource === 'kiosk' ? 'kiosk' : 'desk'),
      );
      entry = changeRecord('queueEntries', entry, { roomId: a.roomId }, clockAt(calledAt));
      entry = transitionRecord('queueEntries', entry, 'called', clockAt(calledAt), seedActor);
      entry = transitionRecord('queueEntries', entry, 'in-room', clockAt(Math.max(roomedAt, calledAt + 1)), seedActor);
      entries.push(
        transitionRecord('queueEntries', entry, 'done', clockAt(Math.max(doneAt, roomedAt + MINUTE)), seedActor),
      );
    });
  }
  return entries;
}

function arrivalSource(rng: Rng): 'desk' | 'kiosk' {
  return rng.chance(0.4) ? 'kiosk' : 'desk';
}

interface TodayPlan {
  siteId: string;
  providers: Provider[];
  localToday: string;
  at: (date: string, time: string) => number;
  children: Patient[];
  adults: Patient[];
  roomByName: Map<string, Room>;
  now: number;
}

interface Arrival {
  appointment: Appointment;
  patient: Patient;
  arrivedAt: number;
  /** Set when the visit is over (fulfilled) or the patient is in a room. */
  roomedAt?: number;
  calledAt?: number;
  doneAt?: number;
  roomId: string;
}

/**
 * Today's bookings, laid out without overlaps per provider, and their state at
 * `now`: past visits fulfilled (a few no-shows and cancellations), the visit
 * under way in each provider's room, patients for the next minutes waiting.
 */
function bookToday(rng: Rng, plan: TodayPlan): { appointments: Appointment[]; queueEntries: QueueEntry[] } {
  const { now } = plan;
  const appointments: Appointment[] = [];
  const arrivals: Arrival[] = [];
  const seenToday = new Set<string>();
  const pickPatient = (pool: Patient[]) => {
    for (;;) {
      const patient = rng.pick(pool);
      if (!seenToday.has(patient.id)) {
        seenToday.add(patient.id);
        return patient;
      }
    }
  };

  providerPlans.forEach((providerPlan, i) => {
    const provider = plan.providers[i]!;
    const roomId = plan.roomByName.get(providerPlan.room)!.id;
    const slots = daySlots(providerPlan, plan.localToday, plan.at);
    const chosen = new Set(rng.sample(slots.length, Math.min(slots.length, providerPlan.bookedToday)));
    for (let index = 0; index < slots.length; index++) {
      if (!chosen.has(index)) continue;
      const visitType = rng.pick(providerPlan.visitTypes);
      const next = slots[index + 1];
      const slot = slots[index]!;
      // A long visit takes the next slot too, when nobody is booked there and no break falls between.
      const long =
        LONG_VISITS.has(visitType) && next !== undefined && !chosen.has(index + 1) && next.start === slot.end;
      const start = slot.start;
      const end = long ? next.end : slot.end;
      const patient = pickPatient(providerPlan.seesChildren ? plan.children : plan.adults);
      const bookedAt = bookingTime(rng, start, now);
      let record = bookAppointment({
        siteId: plan.siteId,
        patient,
        providerId: provider.id,
        start,
        end,
        visitType,
        bookedAt,
        rng,
      });

      if (end <= now) {
        const roll = rng.next();
        if (roll < 0.08) {
          const cancelledAt = bookedAt + Math.floor((Math.min(start, now) - bookedAt) * rng.between(0.3, 0.9));
          record = transitionRecord('appointments', record, 'cancelled', clockAt(cancelledAt), seedActor);
        } else if (roll < 0.17 && start + 30 * MINUTE <= now) {
          record = transitionRecord(
            'appointments',
            record,
            'noshow',
            clockAt(start + rng.int(15, 30) * MINUTE),
            seedActor,
          );
        } else {
          const arrivedAt = start - rng.int(3, 15) * MINUTE;
          const calledAt = start + rng.int(0, 3) * MINUTE;
          const roomedAt = calledAt + MINUTE;
          const doneAt = Math.max(roomedAt + MINUTE, Math.min(end + rng.int(0, 6) * MINUTE, now - MINUTE));
          record = transitionRecord(
            'appointments',
            record,
            'checked-in',
            clockAt(arrivedAt),
            checkInActor(arrivalSource(rng)),
          );
          record = changeRecord('appointments', record, { roomId }, clockAt(calledAt));
          record = transitionRecord('appointments', record, 'fulfilled', clockAt(doneAt), seedActor);
          arrivals.push({ appointment: record, patient, arrivedAt, calledAt, roomedAt, doneAt, roomId });
        }
      } else if (start <= now) {
        // The visit under way: the patient is in the provider's room.
        const arrivedAt = start - rng.int(2, 12) * MINUTE;
        const calledAt = Math.max(arrivedAt + MINUTE, Math.min(start + rng.int(0, 3) * MINUTE, now - MINUTE));
        const roomedAt = Math.min(calledAt + MINUTE, now);
        record = transitionRecord(
          'appointments',
          record,
          'checked-in',
          clockAt(arrivedAt),
          checkInActor(arrivalSource(rng)),
        );
        record = changeRecord('appointments', record, { roomId }, clockAt(calledAt));
        arrivals.push({ appointment: record, patient, arrivedAt, calledAt, roomedAt, roomId });
      } else if (start - now <= 25 * MINUTE && rng.chance(0.75)) {
        // Early for a visit that starts soon: checked in and waiting.
        const arrivedAt =
          now - rng.int(1, Math.max(1, Math.min(20, Math.floor((now - bookedAt) / MINUTE) - 1))) * MINUTE;
        record = transitionRecord(
          'appointments',
          record,
          'checked-in',
          clockAt(arrivedAt),
          checkInActor(arrivalSource(rng)),
        );
        arrivals.push({ appointment: record, patient, arrivedAt, roomId });
      } else if (rng.chance(0.04)) {
        const cancelledAt = bookedAt + Math.floor((now - bookedAt) * rng.between(0.2, 0.9));
        record = transitionRecord('appointments', record, 'cancelled', clockAt(cancelledAt), seedActor);
      }
      appointments.push(record);
    }
  });

  return { appointments, queueEntries: queueToday(rng, plan, arrivals) };
}

/**
 * The reception queue as it stands: one entry per arrival, ticket codes in
 * the order patients arrived (the server's own block starts at 001), plus a
 * couple of walk-ins for the lab once the clinic has been open a while.
 */
function queueToday(rng: Rng, plan: TodayPlan, arrivals: Arrival[]): QueueEntry[] {
  const { now } = plan;
  const entries: QueueEntry[] = [];
  const sorted = [...arrivals].sort((a, b) => a.arrivedAt - b.arrivedAt);
  let calledOne = false;
  const occupied = new Set(
    arrivals.filter((a) => a.roomedAt !== undefined && a.doneAt === undefined).map((a) => a.roomId),
  );
  sorted.forEach((arrival, index) => {
    const waiting = arrival.roomedAt === undefined;
    const elderly = ageOn(arrival.patient.dob, plan.localToday) >= 80;
    let entry = createRecord(
      'queueEntries',
      {
        id: rng.uuid(arrival.arrivedAt),
        siteId: plan.siteId,
        appointmentId: arrival.appointment.id,
        patientId: arrival.patient.id,
        queue: 'reception',
        ticketCode: `A-${String(index + 1).padStart(3, '0')}`,
        priority: waiting && elderly ? 'assist' : 'normal',
        status: 'waiting',
        checkedInAt: iso(arrival.arrivedAt),
        roomId: null,
      },
      clockAt(arrival.arrivedAt),
      checkInActor(arrival.appointment.checkInSource === 'kiosk' ? 'kiosk' : 'desk'),
    );
    if (arrival.calledAt !== undefined && arrival.roomedAt !== undefined) {
      entry = changeRecord('queueEntries', entry, { roomId: arrival.roomId }, clockAt(arrival.calledAt));
      entry = transitionRecord('queueEntries', entry, 'called', clockAt(arrival.calledAt), seedActor);
      entry = transitionRecord('queueEntries', entry, 'in-room', clockAt(arrival.roomedAt), seedActor);
      if (arrival.doneAt !== undefined) {
        entry = transitionRecord('queueEntries', entry, 'done', clockAt(arrival.doneAt), seedActor);
      }
    } else if (!calledOne && now - arrival.arrivedAt >= 2 * MINUTE && arrival.appointment.status === 'checked-in') {
      // One patient has just been called and is on the way to a free room.
      if (!occupied.has(arrival.roomId)) {
        calledOne = true;
        const calledAt = now - MINUTE;
        entry = changeRecord('queueEntries', entry, { roomId: arrival.roomId }, clockAt(calledAt));
        entry = transitionRecord('queueEntries', entry, 'called', clockAt(calledAt), seedActor);
      }
    }
    entries.push(entry);
  });

  const opening = plan.at(plan.localToday, '08:00');
  const closing = plan.at(plan.localToday, '17:00');
  if (now - 50 * MINUTE >= opening && now <= closing) {
    const lab = plan.roomByName.get('Lab')!.id;
    const walkIns = plan.adults.filter((p) => !arrivals.some((a) => a.patient.id === p.id));
    const first = rng.pick(walkIns);
    const second = rng.pick(walkIns.filter((p) => p.id !== first.id));
    const drawnAt = now - 48 * MINUTE;
    let done = createRecord(
      'queueEntries',
      {
        id: rng.uuid(drawnAt),
        siteId: plan.siteId,
        appointmentId: null,
        patientId: first.id,
        queue: 'lab',
        ticketCode: 'L-001',
        priority: 'normal',
        status: 'waiting',
        checkedInAt: iso(drawnAt),
        roomId: null,
      },
      clockAt(drawnAt),
      checkInActor('desk'),
    );
    done = changeRecord('queueEntries', done, { roomId: lab }, clockAt(drawnAt + 6 * MINUTE));
    done = transitionRecord('queueEntries', done, 'called', clockAt(drawnAt + 6 * MINUTE), seedActor);
    done = transitionRecord('queueEntries', done, 'in-room', clockAt(drawnAt + 7 * MINUTE), seedActor);
    done = transitionRecord('queueEntries', done, 'done', clockAt(drawnAt + 15 * MINUTE), seedActor);
    const arrivedAt = now - 6 * MINUTE;
    const waiting = createRecord(
      'queueEntries',
      {
        id: rng.uuid(arrivedAt),
        siteId: plan.siteId,
        appointmentId: null,
        patientId: second.id,
        queue: 'lab',
        ticketCode: 'L-002',
        priority: 'normal',
        status: 'waiting',
        checkedInAt: iso(arrivedAt),
        roomId: null,
      },
      clockAt(arrivedAt),
      checkInActor('kiosk'),
    );
    entries.push(done, waiting);
  }
  return entries;
}

// ----------------------------------------------------------------- helpers

/** A clock standing at one instant, so every write carries the time it happened in the story. */
function clockAt(ms: number): HybridClock {
  return new HybridClock('server', () => ms);
}

function iso(ms: number): string {
  return new Date(ms).toISOString();
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}

function ascii(name: string): string {
  return name
    .normalize('NFD')
    .replace(/[\u0300-\u036f]/g, '')
    .replace(/[đĐ]/g, 'd')
    .replace(/[^A-Za-z]/g, '')
    .toLowerCase();
}

function weekdayOf(date: string): number {
  return new Date(`${date}T12:00:00Z`).getUTCDay();
}

function shiftDate(date: string, days: number): string {
  const d = new Date(`${date}T12:00:00Z`);
  d.setUTCDate(d.getUTCDate() + days);
  return d.toISOString().slice(0, 10);
}

function previousWeekdays(date: string, count: number): string[] {
  const days: string[] = [];
  for (let d = shiftDate(date, -1); days.length < count; d = shiftDate(d, -1)) {
    if (![0, 6].includes(weekdayOf(d))) days.push(d);
  }
  return days.reverse();
}

/** The first date after `date` that falls on `weekday`. */
function nextWeekday(date: string, weekday: number): string {
  let d = shiftDate(date, 1);
  while (weekdayOf(d) !== weekday) d = shiftDate(d, 1);
  return d;
}

function ageOn(dob: string, date: string): number {
  const years = Number(date.slice(0, 4)) - Number(dob.slice(0, 4));
  return date.slice(5) < dob.slice(5) ? years - 1 : years;
}

class Rng {
  constructor(private readonly random: Random) {}

  next(): number {
    return this.random();
  }

  between(min: number, max: number): number {
    return min + (max - min) * this.random();
  }

  /** An integer in [min, max]. */
  int(min: number, max: number): number {
    return min + Math.floor(this.random() * (max - min + 1));
  }

  chance(p: number): boolean {
    return this.random() < p;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new Error('nothing to pick from');
    return items[Math.floor(this.random() * items.length)]!;
  }

  weighted<T>(items: readonly (readonly [T, number])[]): T {
    const total = items.reduce((sum, [, w]) => sum + w, 0);
    let roll = this.random() * total;
    for (const [item, weight] of items) {
      roll -= weight;
      if (roll < 0) return item;
    }
    return items[items.length - 1]![0];
  }

  /** `k` distinct indices below `n`. */
  sample(n: number, k: number): number[] {
    const indices = Array.from({ length: n }, (_, i) => i);
    for (let i = 0; i < k; i++) {
      const j = i + Math.floor(this.random() * (n - i));
      [indices[i], indices[j]] = [indices[j]!, indices[i]!];
    }
    return indices.slice(0, k);
  }

  digits(count: number): string {
    let out = '';
    for (let i = 0; i < count; i++) out += String(Math.floor(this.random() * 10));
    return out;
  }

  /** A UUIDv7 for a record made at `ms`, its random bits from this sequence so the demo is reproducible. */
  uuid(ms: number): string {
    const hex = (digits: number) => {
      let out = '';
      for (let i = 0; i < digits; i++) out += Math.floor(this.random() * 16).toString(16);
      return out;
    };
    const time = Math.max(0, Math.floor(ms)).toString(16).padStart(12, '0').slice(-12);
    const variant = (8 + Math.floor(this.random() * 4)).toString(16);
    return `${time.slice(0, 8)}-${time.slice(8)}-7${hex(3)}-${variant}${hex(3)}-${hex(12)}`;
  }
}
