import type { CollectionName, Notice } from '@medisync/shared/domain';
import { GraphQLError } from 'graphql';
import { actorOf } from '#audit/audit-log';
import type { Scope } from '#api-clients/scopes';
import { grants } from '#api-clients/scopes';
import type { FeedChange } from '#changes/read';
import type { Doc } from '#sync/store';
import { builder } from './builder.js';
import { requireScope, stillActive, type GraphQLContext } from './context.js';
import { AppointmentRef, PatientRef, QueueEntryRef } from './types.js';

/**
 * Live updates, read from the committed-change feed (docs/architecture.md
 * §9.2): a change committed on any server instance, by a device's sync or by
 * an API call, reaches every subscriber on every instance, and only after it
 * committed. Each subscription sees its client's site only, under the scope
 * REST reads the same records with, and each delivery is audited as a read.
 */

/**
 * The feed's changes narrowed to what one subscription wants. Built on the
 * feed's own iterator rather than an async generator, so a client's
 * unsubscribe ends it at once instead of after the next change.
 */
function stream<T>(ctx: GraphQLContext, select: (change: FeedChange) => T[]): AsyncIterableIterator<T> {
  const changes = ctx.deps.changes.changes();
  const ready: T[] = [];
  const iterator: AsyncIterableIterator<T> = {
    [Symbol.asyncIterator]: () => iterator,
    next: async () => {
      while (ready.length === 0) {
        const next = await changes.next();
        if (next.done === true) return { done: true, value: undefined };
        ready.push(...select(next.value));
      }
      // A key revoked while subscribed ends the subscription, as its next REST call would be refused.
      if (!(await stillActive(ctx))) {
        await changes.return?.();
        throw new GraphQLError('this API key has been revoked', { extensions: { code: 'token-invalid' } });
      }
      return { done: false, value: ready.shift()! };
    },
    return: async () => {
      await changes.return?.();
      return { done: true, value: undefined };
    },
  };
  return iterator;
}

/** The live records of one collection at the client's site that `match`. */
function records(ctx: GraphQLContext, scope: Scope, collection: CollectionName, match: (doc: Doc) => boolean) {
  const client = requireScope(ctx, scope);
  return stream(ctx, (change) =>
    change.siteId === client.siteId && change.collection === collection
      ? change.records.map((r) => r.doc).filter((doc) => !doc._deleted && match(doc))
      : [],
  );
}

/** Each record delivered is a read of patient data, audited like a live delivery to a device. */
async function delivered<T extends { id: string }>(
  ctx: GraphQLContext,
  collection: CollectionName,
  record: T,
  field: string,
) {
  await ctx.deps.audit.record({
    actor: actorOf(ctx.client!),
    action: 'read',
    collection,
    recordIds: [record.id],
    via: `${ctx.via} ${field}`,
    ...ctx.origin,
  });
  return record;
}

const NotificationRef = builder.objectRef<Notice>('Notification').implement({
  description:
    'A staff notice (the `notices` records the desk shows): a booking made through the API, a patient’s confirm or cancel from a reminder, a waitlist offer, an attention flag (a double booking, a ticket code used twice, a probable duplicate patient, a lifecycle conflict), a message’s delivery',
  fields: (t) => ({
    id: t.exposeID('id', { description: 'Stable: every instance raising the same notice makes this one' }),
    kind: t.exposeString('kind', {
      description:
        'online-booking, patient-confirmed, patient-cancelled, waitlist-offer, attention or message-delivery',
    }),
    raisedAt: t.field({ type: 'DateTime', resolve: (n) => n.raisedAt }),
    appointmentId: t.exposeID('appointmentId', { nullable: true }),
    patientId: t.exposeID('patientId', { nullable: true }),
    code: t.string({ nullable: true, description: 'An attention flag’s code', resolve: (n) => n.flag?.code ?? null }),
    reason: t.string({
      nullable: true,
      description: 'An attention flag’s reason',
      resolve: (n) => n.flag?.reason ?? null,
    }),
    collection: t.string({
      nullable: true,
      description: 'The flagged record’s collection: patients, appointments or queueEntries',
      resolve: (n) => n.flag?.collection ?? null,
    }),
    recordId: t.id({ nullable: true, description: 'The flagged record', resolve: (n) => n.flag?.recordId ?? null }),
  }),
});

/** Which scope reads the records a notification is about. */
const READ_SCOPE: Partial<Record<CollectionName, Scope>> = {
  patients: 'patients:read',
  appointments: 'appointments:read',
  queueEntries: 'queue:read',
};

/** The scope that reads what a notice is about: its appointment, its patient, or the flagged record. */
function scopeOf(notice: Notice): Scope {
  if (notice.appointmentId !== null) return 'appointments:read';
  if (notice.patientId !== null) return 'patients:read';
  return READ_SCOPE[(notice.flag?.collection ?? 'appointments') as CollectionName] ?? 'appointments:read';
}

builder.subscriptionType({
  fields: (t) => ({
    appointmentUpdated: t.field({
      type: AppointmentRef,
      description:
        'Every committed change of an appointment at the site, optionally of one patient or provider (needs appointments:read)',
      args: { patientId: t.arg.id(), providerId: t.arg.id() },
      subscribe: (_root, args, ctx) =>
        records(
          ctx,
          'appointments:read',
          'appointments',
          (doc) =>
            (args.patientId == null || (doc as { patientId?: string }).patientId === String(args.patientId)) &&
            (args.providerId == null || (doc as { providerId?: string }).providerId === String(args.providerId)),
        ),
      resolve: (doc, _args, ctx) => delivered(ctx, 'appointments', doc as never, 'appointmentUpdated'),
    }),
    patientUpdated: t.field({
      type: PatientRef,
      description: 'Every committed change of one patient (needs patients:read)',
      args: { id: t.arg.id({ required: true }) },
      subscribe: (_root, args, ctx) => records(ctx, 'patients:read', 'patients', (doc) => doc.id === String(args.id)),
      resolve: (doc, _args, ctx) => delivered(ctx, 'patients', doc as never, 'patientUpdated'),
    }),
    queueUpdated: t.field({
      type: QueueEntryRef,
      description: 'Every committed change of a ticket in one queue at the site, e.g. "reception" (needs queue:read)',
      args: { queue: t.arg.string({ required: true, validate: { maxLength: 32 } }) },
      subscribe: (_root, args, ctx) =>
        records(ctx, 'queue:read', 'queueEntries', (doc) => (doc as { queue?: string }).queue === args.queue),
      resolve: (doc, _args, ctx) => delivered(ctx, 'queueEntries', doc as never, 'queueUpdated'),
    }),
    newNotification: t.field({
      type: NotificationRef,
      description:
        'Each staff notice newly raised at the site about records the client may read (needs appointments:read, patients:read or queue:read)',
      subscribe: (_root, _args, ctx) => {
        const client = requireScope(ctx, 'appointments:read', ['patients:read', 'queue:read']);
        return stream(ctx, (change) =>
          change.siteId === client.siteId && change.collection === 'notices'
            ? change.records
                // A notice is news when it is created; every instance raising it again writes nothing new.
                .filter((r) => r.changed === null && !r.doc._deleted)
                .map((r) => r.doc as unknown as Notice)
                .filter((notice) => grants(client.scopes, scopeOf(notice)))
            : [],
        );
      },
      resolve: (notice) => notice as Notice,
    }),
  }),
});
