// Iterator pagination in Svix's shape: `iterator` continues after the last item, and an
// iterator with a leading `-` walks backwards from the first.
import type { SqlExecutor, SqlValue } from './database.ts';

export type Order = 'ascending' | 'descending';

export type PageQuery = { limit: number; iterator: string | null; order: Order };

export type Page<T> = {
  data: T[];
  iterator: string | null;
  prevIterator: string | null;
  done: boolean;
};

export type PageSpec<Row, T> = {
  /** `SELECT ... FROM ...` without WHERE or ORDER BY. */
  from: string;
  where: string[];
  params: SqlValue[];
  /** The unique, sortable column the iterator points into. */
  key: string;
  page: PageQuery;
  map: (row: Row) => T;
  keyOf: (item: T) => string;
};

export async function paginate<Row, T>(db: SqlExecutor, spec: PageSpec<Row, T>): Promise<Page<T>> {
  const { page } = spec;
  const backwards = page.iterator?.startsWith('-') ?? false;
  const cursor = backwards ? (page.iterator?.slice(1) ?? null) : page.iterator;
  const ascending = (page.order === 'ascending') !== backwards;
  const where = [...spec.where];
  const params = [...spec.params];
  if (cursor) {
    where.push(`${spec.key} ${ascending ? '>' : '<'} ?`);
    params.push(cursor);
  }
  const sql = `${spec.from}${where.length ? ` WHERE ${where.join(' AND ')}` : ''} ORDER BY ${spec.key} ${
    ascending ? 'ASC' : 'DESC'
  } LIMIT ?`;
  params.push(page.limit + 1);
  const rows = await db.all<Row>(sql, params);
  const more = rows.length > page.limit;
  const kept = rows.slice(0, page.limit);
  if (backwards) kept.reverse();
  const data = kept.map(spec.map);
  const first = data[0];
  const last = data.at(-1);
  return {
    data,
    iterator: last ? spec.keyOf(last) : null,
    prevIterator: first ? `-${spec.keyOf(first)}` : null,
    done: !more,
  };
}
