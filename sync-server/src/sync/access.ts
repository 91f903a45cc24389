import {
  checkTransition,
  collectionSpec,
  fieldIssues,
  isReplicaRole,
  kioskAppointmentCore,
  kioskAppointmentSchema,
  kioskIntakeFields,
  kioskPatientWriteSchema,
  kioskQueueEntryWriteSchema,
  noticeStaffFields,
  lifecycleOf,
  projectDisplayQueueEntry,
  projectKioskAppointment,
  projectKioskQueueEntry,
  replicaProfiles,
  statusLogChanges,
  type Appointment,
  type CollectionName,
  type ParseResult,
  type QueueEntry,
  type ReplicaRole,
  type StatusEvent,
} from '@medisync/shared/domain';
import type { z } from 'zod';
import type { Principal } from '#auth/principal';
import { ledgerWriteRules } from '#billing/sync-rules';
import { serverWrittenNoShowRisk } from '#no-show/sync-rules';
import type { PullView, ReadRows } from './pull.js';
import type { Doc, PushOptions, WriteCheck } from './store.js';

/** How one principal may write one collection: what it pushes is validated, restricted and compared through this. */
export type RecordWriter = Required<Pick<PushOptions, 'mayWrite'>> &
  Pick<PushOptions, 'parse' | 'restrict' | 'visible'>;

/**
 * Who may replicate what (docs/architecture.md §5), by the principal's role, always
 * within the principal's own site:
 *
 * - admin, desk: the whole site, read and write (site settings: admin only);
 * - kiosk: reads the site, its providers, and today's appointments and queue,
 *   projected (no phone, address, insurance, MRN, notes or birth date; the
 *   queue without patients); writes check-ins (booked to checked-in), new
 *   waiting queue entries (walk-ins too) and patient intake, which it never reads;
 * - display: reads the site, its rooms and today's queue without names; writes nothing;
 * - integration: nothing here; API clients use the integration API.
 */
export interface SyncPolicy {
  /** Whether the principal may pull the collection at all (live hints follow this too). */
  mayRead(principal: Principal, collection: CollectionName): boolean;
  /** The view of a collection for this principal, or null when it may not read it. */
  view(principal: Principal, collection: CollectionName): PullView | null;
  /** How the principal may push the collection, or null when it may not write it at all. */
  writer(principal: Principal, collection: CollectionName): RecordWriter | null;
  /** Whether live events for this principal may carry documents inline (else a hint to pull). */
  inlineLiveDocuments(principal: Principal): boolean;
}

const STAFF: ReadonlySet<string> = new Set(['admin', 'desk']);

function replicaRoleOf(principal: Principal): ReplicaRole | null {
  return isReplicaRole(principal.role) ? principal.role : null;
}

export const rolePolicy: SyncPolicy = {
  mayRead(principal, collection) {
    const role = replicaRoleOf(principal);
    return role !== null && replicaProfiles[role].pull.includes(collection);
  },

  view(principal, collection) {
    if (!rolePolicy.mayRead(principal, collection)) return null;
    const siteId = principal.siteId;
    if (principal.role === 'kiosk') {
      if (collection === 'appointments') {
        return { siteId, todayOnly: { field: 'start', tombstone: withoutPatient }, project: projectForKiosk };
      }
      if (collection === 'queueEntries') {
        return {
          siteId,
          todayOnly: { field: 'checkedInAt' },
          project: async (docs) => docs.map(asDoc(projectKioskQueueEntry)),
        };
      }
    }
    if (principal.role === 'display' && collection === 'queueEntries') {
      return { siteId, todayOnly: { field: 'checkedInAt' }, project: projectForDisplay };
    }
    return { siteId };
  },

  writer(principal, collection) {
    const role = replicaRoleOf(principal);
    if (role === null || !replicaProfiles[role].push.includes(collection)) return null;
    if (STAFF.has(role)) {
      if (collection === 'sites' && role !== 'admin') return null;
      if (collection === 'notices') return staffNoticeWriter(principal);
      return {
        mayWrite: all(
          withinSite(principal),
          ownMemberships(principal),
          ownStatusEvents(principal),
          ...(collection === 'ledger' ? [ledgerWriteRules(principal)] : []),
          ...(collection === 'appointments' ? [serverWrittenNoShowRisk] : []),
        ),
      };
    }
    if (role === 'kiosk') return kioskWriters(principal)[collection] ?? null;
    return null;
  },

  inlineLiveDocuments: (principal) => STAFF.has(principal.role),
};

/**
 * Notices are the server's (docs/architecture.md §9.6): staff mark them read
 * and change nothing else, so a desk holding an older state of a notice never
 * takes back what the server wrote since.
 */
function staffNoticeWriter(principal: Principal): RecordWriter {
  return {
    mayWrite: all(withinSite(principal), (_c, next, previous) =>
      previous === undefined ? 'notices are raised by the server' : next._deleted ? 'notices are not deleted' : null,
    ),
    restrict: (incoming, previous) => {
      const source = incoming as unknown as Record<string, unknown> & { clocks: Record<string, string> };
      const kept: Record<string, unknown> = { id: incoming.id, siteId: (previous as { siteId: string }).siteId };
      const clocks: Record<string, string> = {};
      for (const field of noticeStaffFields) {
        if (source[field] === undefined) continue;
        kept[field] = source[field];
        if (source.clocks[field] !== undefined) clocks[field] = source.clocks[field];
      }
      return { ...kept, clocks, attention: {}, needsAttention: false, _deleted: false } as unknown as Doc;
    },
  };
}

/** A record of the principal's site, before and after the write. */
function withinSite(principal: Principal): WriteCheck {
  return (collection, next, previous) => {
    const spec = collectionSpec(collection);
    if (!spec.sitesOf(next as never).includes(principal.siteId))
      return `this ${collection} record belongs to another site`;
    if (previous !== undefined && !spec.sitesOf(previous as never).includes(principal.siteId)) {
      return `this ${collection} record belongs to another site`;
    }
    return null;
  };
}

/**
 * Site memberships change only where the principal works: a desk may not put a
 * provider into another site, nor take one out of it.
 */
function ownMemberships(principal: Principal): WriteCheck {
  return (collection, next, previous) => {
    const spec = collectionSpec(collection);
    const before = new Set(previous === undefined ? [] : spec.sitesOf(previous as never));
    const after = new Set(spec.sitesOf(next as never));
    const changed = [...after].filter((s) => !before.has(s)).concat([...before].filter((s) => !after.has(s)));
    return changed.some((siteId) => siteId !== principal.siteId)
      ? `this ${collection} record would join or leave another site; only that site's staff may change that`
      : null;
  };
}

const EVENT_SOURCE: Record<ReplicaRole, StatusEvent<string>['source']> = {
  admin: 'desk',
  desk: 'desk',
  kiosk: 'kiosk',
  display: 'desk',
};

/**
 * Status events, for every writer: a recorded event never changes (its hlc is
 * its identity, so a rewritten one would replace history in every replica's
 * merge), and each new event is a step the writer's role may make, made by the
 * writer itself.
 */
function ownStatusEvents(principal: Principal): WriteCheck {
  const role = principal.role as ReplicaRole;
  return (collection, next, previous) => {
    const lifecycle = lifecycleOf(collectionSpec(collection), next)?.lifecycle;
    if (lifecycle === undefined) return null;
    const { added, rewritten } = statusLogChanges(
      (previous as LifecycleDoc | undefined)?.statusLog ?? [],
      (next as LifecycleDoc).statusLog ?? [],
    );
    if (rewritten.length > 0) {
      return `status event ${rewritten[0]!.hlc} of this ${collection} record is already recorded with other content; recorded status events never change`;
    }
    for (const event of added) {
      const check = checkTransition(lifecycle, role, event.from, event.to);
      if (!check.ok) return check.reason;
      if (event.source !== EVENT_SOURCE[role] || event.by !== principal.id) {
        return `new status events must have source "${EVENT_SOURCE[role]}" and be made by the writer itself (by = ${principal.id})`;
      }
    }
    return null;
  };
}

/** The first refusal of several checks, or null when all pass. */
const all =
  (...checks: WriteCheck[]): WriteCheck =>
  (collection, next, previous) => {
    for (const check of checks) {
      const refusal = check(collection, next, previous);
      if (refusal !== null) return refusal;
    }
    return null;
  };

// ---------------------------------------------------------------------------
// Kiosk writes

type LifecycleDoc = Doc & { statusLog?: StatusEvent<string>[] };

function kioskWriters(principal: Principal): Partial<Record<CollectionName, RecordWriter>> {
  const ownSite: WriteCheck = (collection, next, previous) => {
    if ((next as { siteId?: string }).siteId !== principal.siteId)
      return `this ${collection} record belongs to another site`;
    if (previous !== undefined && (previous as { siteId?: string }).siteId !== principal.siteId) {
      return `this ${collection} record belongs to another site`;
    }
    if (next._deleted) return `a kiosk may not delete ${collection}`;
    return null;
  };
  /** An existing lifecycle record: the kiosk contributes status events only; every other field stays the server's. */
  const statusEventsOnly = (incoming: Doc, previous: Doc): Doc =>
    ({
      id: incoming.id,
      siteId: (previous as { siteId: string }).siteId,
      statusLog: (incoming as LifecycleDoc).statusLog,
      clocks: {},
      attention: {},
      needsAttention: false,
      _deleted: false,
    }) as unknown as Doc;

  return {
    appointments: {
      parse: parseWith(kioskAppointmentSchema),
      mayWrite: all(
        (_c, _next, previous) => (previous === undefined ? 'a kiosk may not create appointments' : null),
        ownSite,
        ownStatusEvents(principal),
      ),
      restrict: (incoming, previous) => statusEventsOnly(incoming, previous!),
      visible: safely((doc) => kioskAppointmentCore(doc as Appointment)),
    },
    queueEntries: {
      parse: parseWith(kioskQueueEntryWriteSchema),
      mayWrite: all(ownSite, ownStatusEvents(principal)),
      restrict: (incoming, previous) =>
        previous === undefined
          ? ({ ...incoming, attention: {}, needsAttention: false } as Doc)
          : statusEventsOnly(incoming, previous),
      visible: safely((doc) => projectKioskQueueEntry(doc as QueueEntry)),
    },
    patients: {
      parse: parseWith(kioskPatientWriteSchema),
      mayWrite: all(ownSite, (_c, next, previous) => {
        if (previous !== undefined) return null;
        const patient = next as { mrn?: unknown; active?: unknown; mergedInto?: unknown };
        if ((patient.mrn ?? null) !== null || (patient.mergedInto ?? null) !== null || patient.active === false) {
          return 'a kiosk registers new patients as active, without an MRN (the server gives it) and not merged';
        }
        return null;
      }),
      restrict: (incoming, previous) => {
        if (previous === undefined) {
          return {
            ...incoming,
            mrn: null,
            active: true,
            mergedInto: null,
            attention: {},
            needsAttention: false,
          } as Doc;
        }
        // An intake update: the fields a patient may change about themselves, with their clocks.
        const source = incoming as unknown as Record<string, unknown> & { clocks: Record<string, string> };
        const kept: Record<string, unknown> = {
          id: incoming.id,
          siteId: source.siteId,
          attention: {},
          needsAttention: false,
        };
        const clocks: Record<string, string> = {};
        for (const field of kioskIntakeFields) {
          if (source[field] === undefined) continue;
          kept[field] = source[field];
          if (source.clocks[field] !== undefined) clocks[field] = source.clocks[field];
        }
        return { ...kept, clocks, _deleted: false } as unknown as Doc;
      },
      // Write-only: the kiosk is never sent a patient, so it is never told of a conflict either.
      visible: () => null,
    },
  };
}

function parseWith(schema: z.ZodType): (data: unknown) => ParseResult<Doc> {
  return (data) => {
    const result = schema.safeParse(data);
    return result.success ? { ok: true, record: result.data as Doc } : { ok: false, issues: fieldIssues(result.error) };
  };
}

/** A pushed `assumedMasterState` is not validated; one that cannot be projected simply does not match. */
function safely(project: (doc: Doc) => object): (doc: Doc) => unknown {
  return (doc) => {
    try {
      return project(doc);
    } catch {
      return { unprojectable: doc.id ?? null };
    }
  };
}

// ---------------------------------------------------------------------------
// Projections that read related records

const asDoc =
  <T>(project: (doc: T) => object) =>
  (doc: Doc): Doc =>
    project(doc as unknown as T) as unknown as Doc;

async function projectForKiosk(docs: Doc[], read: ReadRows): Promise<Doc[]> {
  const appointments = docs as unknown as (Appointment & { _deleted: boolean })[];
  const patients = await byId(
    read<{ id: string; givenName: string; familyName: string; dob: string }>(
      `SELECT id, doc->>'givenName' AS "givenName", doc->>'familyName' AS "familyName", doc->>'dob' AS dob
         FROM patients WHERE id = ANY($1::uuid[])`,
      [[...new Set(appointments.map((a) => a.patientId))]],
    ),
  );
  const providers = await byId(
    read<{ id: string; displayName: string }>(
      `SELECT id, doc->>'displayName' AS "displayName" FROM providers WHERE id = ANY($1::uuid[])`,
      [[...new Set(appointments.map((a) => a.providerId))]],
    ),
  );
  return appointments.map(
    (a) =>
      projectKioskAppointment(a, {
        patient: patients.get(a.patientId) ?? null,
        provider: providers.get(a.providerId) ?? null,
      }) as unknown as Doc,
  );
}

async function projectForDisplay(docs: Doc[], read: ReadRows): Promise<Doc[]> {
  const entries = docs as unknown as (QueueEntry & { _deleted: boolean })[];
  const roomIds = [...new Set(entries.flatMap((e) => (e.roomId === null ? [] : [e.roomId])))];
  const rooms =
    roomIds.length === 0
      ? new Map<string, { name: string }>()
      : await byId(
          read<{ id: string; name: string }>(`SELECT id, doc->>'name' AS name FROM rooms WHERE id = ANY($1::uuid[])`, [
            roomIds,
          ]),
        );
  return entries.map(
    (e) =>
      projectDisplayQueueEntry(e, e.roomId === null ? null : (rooms.get(e.roomId)?.name ?? null)) as unknown as Doc,
  );
}

/** An appointment leaving a kiosk (moved to another day) no longer says whose it is. */
function withoutPatient(doc: Doc): Doc {
  return {
    ...doc,
    patientGivenName: '',
    patientFamilyInitial: '',
    identityKey: null,
    checkInCodeHash: null,
  } as unknown as Doc;
}

async function byId<R extends { id: string }>(rows: Promise<R[]>): Promise<Map<string, R>> {
  return new Map((await rows).map((r) => [r.id, r]));
}
