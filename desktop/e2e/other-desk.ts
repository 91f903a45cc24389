import {
  createRecord,
  HybridClock,
  newId,
  transitionRecord,
  type Actor,
  type CollectionName,
  type NewRecord,
  type QueuePriority,
  type RecordTypes,
} from '@medisync/shared/domain';
import { api, signIn } from '@medisync/sync-server/src/auth/testing.js';
import type { TestServer } from '@medisync/sync-server/src/testing/test-server.js';

/**
 * A second reception desk that talks to the server directly: it pushes records
 * as a desk would after working offline, so a browser test can set up the day
 * it needs (walk-ins in the queue, a double booking) through the real sync path.
 */
export class OtherDesk {
  readonly clock: HybridClock;

  private constructor(
    readonly server: TestServer,
    readonly token: string,
    readonly siteId: string,
    readonly actor: Actor,
    node: string,
  ) {
    this.clock = new HybridClock(node);
  }

  static async signIn(server: TestServer, node = `other-desk-${newId().slice(-8)}`): Promise<OtherDesk> {
    const session = await signIn(server.url, 'desk@demo.clinic', 'medisync-demo');
    return new OtherDesk(
      server,
      session.accessToken,
      session.site.id,
      { id: session.user.id, role: 'desk', source: 'desk' },
      node,
    );
  }

  async push<K extends CollectionName>(collection: K, records: RecordTypes[K][]): Promise<void> {
    const pushed = await api<{ rejected: unknown[] }>(this.server.url, `/sync/${collection}/push`, {
      token: this.token,
      body: records.map((record) => ({ newDocumentState: record, assumedMasterState: null })),
    });
    if (pushed.status !== 200 || pushed.body.rejected.length > 0) {
      throw new Error(`push refused: ${pushed.status} ${JSON.stringify(pushed.body)}`);
    }
  }

  /**
   * Sees out whoever the demo clinic has in a room (or on the way to it) at
   * this hour, so a test can call someone there whatever the time of day.
   */
  async clearRoom(roomName: string): Promise<void> {
    const rows = await this.server.db.query<{ doc: RecordTypes['queueEntries'] }>(
      `SELECT q.doc FROM queue_entries q JOIN rooms r ON r.id::text = q.doc->>'roomId'
        WHERE r.doc->>'name' = $1 AND q.site_ids @> ARRAY[$2::uuid] AND q.doc->>'status' IN ('called', 'in-room')`,
      [roomName, this.siteId],
    );
    const finished = rows.map(({ doc }) => {
      const inRoom =
        doc.status === 'called' ? transitionRecord('queueEntries', doc, 'in-room', this.clock, this.actor) : doc;
      return transitionRecord('queueEntries', inRoom, 'done', this.clock, this.actor);
    });
    if (finished.length > 0) await this.push('queueEntries', finished);
  }

  /** Patients of the demo clinic with names a test can tell apart. */
  async patients(count: number, offset = 0): Promise<RecordTypes['patients'][]> {
    const rows = await this.server.db.query<{ doc: RecordTypes['patients'] }>(
      `SELECT doc FROM patients WHERE site_ids @> ARRAY[$1::uuid] ORDER BY id LIMIT $2 OFFSET $3`,
      [this.siteId, count, offset],
    );
    return rows.map((row) => row.doc);
  }

  /** A walk-in checked in `minutesAgo` minutes ago, waiting in `queue`. */
  walkIn(
    patient: RecordTypes['patients'],
    ticketCode: string,
    options: { priority?: QueuePriority; minutesAgo?: number; queue?: string } = {},
  ): RecordTypes['queueEntries'] {
    return createRecord(
      'queueEntries',
      {
        id: newId(),
        siteId: this.siteId,
        appointmentId: null,
        patientId: patient.id,
        queue: options.queue ?? 'reception',
        ticketCode,
        priority: options.priority ?? 'normal',
        status: 'waiting',
        checkedInAt: new Date(Date.now() - (options.minutesAgo ?? 1) * 60_000).toISOString(),
        roomId: null,
      },
      this.clock,
      this.actor,
    );
  }

  /** A booking made on this desk (offline or not), as it would push it. */
  booking(
    patient: RecordTypes['patients'],
    providerId: string,
    start: Date,
    minutes = 20,
  ): RecordTypes['appointments'] {
    return createRecord(
      'appointments',
      {
        id: newId(),
        siteId: this.siteId,
        patientId: patient.id,
        providerId,
        roomId: null,
        start: start.toISOString(),
        end: new Date(start.getTime() + minutes * 60_000).toISOString(),
        visitType: 'follow-up',
        status: 'booked',
        copayCents: null,
        notes: null,
      } as NewRecord<'appointments'>,
      this.clock,
      this.actor,
    );
  }

  /** A patient registered on this desk with the least a desk asks for. */
  registration(givenName: string, familyName: string, dob: string): RecordTypes['patients'] {
    return createRecord(
      'patients',
      {
        id: newId(),
        siteId: this.siteId,
        mrn: null,
        givenName,
        familyName,
        dob,
        sex: 'female',
        phone: null,
        email: null,
        address: null,
        preferredLanguage: 'en',
        insurance: null,
        active: true,
        mergedInto: null,
      } as NewRecord<'patients'>,
      this.clock,
      this.actor,
    );
  }

  async providerIds(): Promise<string[]> {
    const rows = await this.server.db.query<{ id: string }>(
      `SELECT id FROM providers WHERE site_ids @> ARRAY[$1::uuid] ORDER BY id`,
      [this.siteId],
    );
    return rows.map((row) => row.id);
  }

  async serverDoc<K extends CollectionName>(table: string, id: string): Promise<RecordTypes[K] | undefined> {
    const rows = await this.server.db.query<{ doc: RecordTypes[K] }>(`SELECT doc FROM ${table} WHERE id = $1`, [id]);
    return rows[0]?.doc;
  }
}
