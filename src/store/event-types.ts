// Event types in the store, keyed by name.
import { conflict } from '../domain/errors.ts';
import type { EventType } from '../domain/event-type.ts';
import type { Database } from './database.ts';
import { parseJson, toJson } from './json-columns.ts';
import { type Page, type PageQuery, paginate } from './pagination.ts';

type Row = {
  name: string;
  description: string;
  archived: number;
  deprecated: number;
  schemas: string | null;
  feature_flag: string | null;
  group_name: string | null;
  created_at: number;
  updated_at: number;
};

/** Event types, keyed by name. */
export interface EventTypeRepository {
  /** Stores a new event type and returns it. Throws a conflict when its name is taken. */
  create(e: EventType): Promise<EventType>;
  /** The event type with this name (null: none). */
  find(name: string): Promise<EventType | null>;
  /** Lists event types by name; archived ones only with `includeArchived`. */
  list(page: PageQuery, includeArchived: boolean): Promise<Page<EventType>>;
  /** Writes every field of an existing event type (found by name) and returns it. */
  update(e: EventType): Promise<EventType>;
  /** Deletes an event type; false when there was none. */
  delete(name: string): Promise<boolean>;
}

const toEventType = (r: Row): EventType => ({
  name: r.name,
  description: r.description,
  archived: Boolean(r.archived),
  deprecated: Boolean(r.deprecated),
  schemas: parseJson(r.schemas, null),
  featureFlag: r.feature_flag,
  groupName: r.group_name,
  createdAt: Number(r.created_at),
  updatedAt: Number(r.updated_at),
});

export function eventTypeRepository(db: Database): EventTypeRepository {
  return {
    async create(e: EventType): Promise<EventType> {
      try {
        await db.run(
          'INSERT INTO event_types (name, description, archived, deprecated, schemas, feature_flag, group_name, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            e.name,
            e.description,
            e.archived ? 1 : 0,
            e.deprecated ? 1 : 0,
            toJson(e.schemas),
            e.featureFlag,
            e.groupName,
            e.createdAt,
            e.updatedAt,
          ],
        );
      } catch (error) {
        if (db.capabilities.isUniqueViolation(error)) {
          throw conflict(`an event type named "${e.name}" already exists`);
        }
        throw error;
      }
      return e;
    },

    async find(name: string): Promise<EventType | null> {
      const row = await db.get<Row>('SELECT * FROM event_types WHERE name = ?', [name]);
      return row ? toEventType(row) : null;
    },

    list(page: PageQuery, includeArchived: boolean): Promise<Page<EventType>> {
      return paginate(db, {
        from: 'SELECT * FROM event_types',
        where: includeArchived ? [] : ['archived = 0'],
        params: [],
        key: 'name',
        page,
        map: toEventType,
        keyOf: (e) => e.name,
      });
    },

    async update(e: EventType): Promise<EventType> {
      await db.run(
        'UPDATE event_types SET description = ?, archived = ?, deprecated = ?, schemas = ?, feature_flag = ?, group_name = ?, updated_at = ? WHERE name = ?',
        [
          e.description,
          e.archived ? 1 : 0,
          e.deprecated ? 1 : 0,
          toJson(e.schemas),
          e.featureFlag,
          e.groupName,
          e.updatedAt,
          e.name,
        ],
      );
      return e;
    },

    async delete(name: string): Promise<boolean> {
      const result = await db.run('DELETE FROM event_types WHERE name = ?', [name]);
      return result.changes > 0;
    },
  };
}
