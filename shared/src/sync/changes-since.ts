import {
  getPrimaryFieldOfPrimaryKey,
  INDEX_MAX,
  RX_META_LWT_MINIMUM,
  type PreparedQuery,
  type RxStorage,
  type RxStorageInstanceCreationParams,
} from 'rxdb';

/**
 * Gives every storage instance a `getChangedDocumentsSince` that starts
 * reading right after the checkpoint.
 *
 * RxDB's replication asks a collection "what changed after (lwt, id)" each
 * time its upstream resyncs, and every live hint that the device must pull
 * is such a resync (shared/src/sync/replication.ts). Without this method RxDB
 * asks with a query whose index range is bounded by `lwt` alone, checking the
 * id of each document on the way. One bulk write stamps all its documents
 * with one `lwt`, and a first sync stores tens of thousands in a few writes,
 * so each read of a page of changes walked every document of that write
 * before reaching the first new one. After a desk's first sync, every check-in
 * set off such a walk over the day's history and the check-in's own write
 * queued behind it for a third of a second or more. Here the range starts at
 * (lwt, id) itself, on the `[_meta.lwt, id]` index RxDB keeps in every
 * collection, so a page costs what it returns.
 */
export function withChangesSinceByKeyset<Internals, Options>(
  storage: RxStorage<Internals, Options>,
): RxStorage<Internals, Options> {
  return Object.assign({}, storage, {
    async createStorageInstance<Doc>(params: RxStorageInstanceCreationParams<Doc, Options>) {
      const instance = await storage.createStorageInstance<Doc>(params);
      if (instance.getChangedDocumentsSince) return instance;
      const primaryPath = getPrimaryFieldOfPrimaryKey(params.schema.primaryKey) as string;
      instance.getChangedDocumentsSince = async (limit, checkpoint) => {
        const { documents } = await instance.query({
          query: {
            selector: {},
            sort: [{ '_meta.lwt': 'asc' }, { [primaryPath]: 'asc' }],
            skip: 0,
            limit,
          },
          // The index's own order is the checkpoint's order, so nothing is left to match or sort.
          queryPlan: {
            index: ['_meta.lwt', primaryPath],
            startKeys: [checkpoint?.lwt ?? RX_META_LWT_MINIMUM, checkpoint?.id ?? ''],
            endKeys: [INDEX_MAX, INDEX_MAX],
            inclusiveStart: false,
            inclusiveEnd: true,
            selectorSatisfiedByIndex: true,
            sortSatisfiedByIndex: true,
          },
        } as PreparedQuery<Doc>);
        const last = documents.at(-1);
        return {
          documents,
          checkpoint: last
            ? { id: (last as Record<string, unknown>)[primaryPath] as string, lwt: last._meta.lwt }
            : (checkpoint ?? { id: '', lwt: 0 }),
        };
      };
      return instance;
    },
  });
}
