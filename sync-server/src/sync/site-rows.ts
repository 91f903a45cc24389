/**
 * SQL for reading one site's rows of a record table in seq order, in a way an
 * index serves directly whatever the planner's statistics say. A record of one
 * site (every collection but providers) matches `site_ids = ARRAY[site]`, read
 * through the (site_ids, seq) btree; a record of several sites is read through
 * the ordered partial index of such rows (migration 0007). The GIN index on
 * site_ids would find the same rows, but unordered, so a page would sort every
 * row still to come.
 *
 * `site` is the SQL of the site id (a parameter such as `$2`); `where` further
 * conditions on the table aliased `r`, which both halves repeat.
 */
const halves = (site: string) => [
  `r.site_ids = ARRAY[${site}::uuid]`,
  `cardinality(r.site_ids) > 1 AND r.site_ids @> ARRAY[${site}::uuid]`,
];

/** The first `limit` rows of the site matching `where`, by seq. */
function siteRowsInSeqOrder(table: string, columns: string, site: string, where: string, limit: number) {
  const n = Math.floor(limit);
  const half = (own: string) =>
    `(SELECT ${columns} FROM ${table} r WHERE ${own} AND ${where} ORDER BY r.seq LIMIT ${n})`;
  return `SELECT * FROM (${halves(site).map(half).join(' UNION ALL ')}) page ORDER BY seq LIMIT ${n}`;
}

/**
 * `siteRowsInSeqOrder` with the site's highest seq in `table` beside each row
 * as `head`, in one round trip: a page short of its limit is the end, and a
 * device then stands at the head. An empty page still answers one row, of
 * nulls but the head.
 */
export function siteRowsWithHead(table: string, columns: string, site: string, where: string, limit: number) {
  return `SELECT page.*, head.seq AS head FROM (SELECT ${lastSiteSeq(table, site)} AS seq) head
    LEFT JOIN (${siteRowsInSeqOrder(table, columns, site, where, limit)}) page ON true ORDER BY page.seq`;
}

/** How many rows of the site match `where`. */
export function countSiteRows(table: string, site: string, where: string) {
  const half = (own: string) => `(SELECT count(*) FROM ${table} r WHERE ${own} AND ${where})`;
  return `SELECT ${halves(site).map(half).join(' + ')} AS count`;
}

/** The site's highest seq in `table` (NULL when it has no row there): two index probes. */
export function lastSiteSeq(table: string, site: string) {
  const half = (own: string) => `(SELECT max(r.seq) FROM ${table} r WHERE ${own})`;
  return `GREATEST(${halves(site).map(half).join(', ')})`;
}
