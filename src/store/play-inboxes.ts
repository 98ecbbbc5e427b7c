// Play inboxes and the requests they recorded. Several nodes on one PostgreSQL database see
// the same inboxes: a request recorded by one is read through another.
import type { Endpoint } from '../domain/endpoint.ts';
import type { PlayInbox, PlayRequest, SignatureVerdict } from '../domain/play.ts';
import type { Database } from './database.ts';
import { type EndpointRow, endpointReader } from './endpoints.ts';
import type { SecretBox } from './secret-box.ts';

type InboxRow = {
  id: string;
  app_id: string | null;
  url: string;
  created_at: number;
  expires_at: number;
};

type RequestRow = {
  id: string;
  inbox_id: string;
  method: string;
  path: string;
  headers: string;
  body: Uint8Array;
  body_size: number;
  signature: string;
  received_at: number;
};

/** Play inboxes and the requests they recorded. */
export interface PlayInboxRepository {
  /** Stores a new inbox and returns it. */
  create(inbox: PlayInbox): Promise<PlayInbox>;
  /** The inbox with this id, an expired one too until it is purged (null: none). */
  find(id: string): Promise<PlayInbox | null>;
  /**
   * Records a request and drops the inbox's oldest ones beyond `keep`, in one transaction.
   * False when the inbox is gone (deleted between the caller's read and this write).
   */
  addRequest(request: PlayRequest, keep: number): Promise<boolean>;
  /** The inbox's requests after the one with id `after` (oldest first), at most `limit`. */
  listRequests(
    inboxId: string,
    options: { after?: string | null; limit: number },
  ): Promise<PlayRequest[]>;
  /**
   * The endpoints whose URL ends in this inbox's path, within one application (or in any,
   * for an inbox made with the operator token), the first 50 by id. The caller checks the
   * path exactly.
   */
  endpointsPointingAt(inboxId: string, appId: string | null): Promise<Endpoint[]>;
  /** Deletes inboxes (and their requests) that expired before `now`; returns how many. */
  purgeExpired(now: number): Promise<number>;
}

const toInbox = (r: InboxRow): PlayInbox => ({
  id: r.id,
  appId: r.app_id,
  url: r.url,
  createdAt: Number(r.created_at),
  expiresAt: Number(r.expires_at),
});

const toRequest = (r: RequestRow): PlayRequest => ({
  id: r.id,
  inboxId: r.inbox_id,
  method: r.method,
  path: r.path,
  headers: JSON.parse(r.headers) as [string, string][],
  body: r.body,
  bodySize: Number(r.body_size),
  signature: JSON.parse(r.signature) as SignatureVerdict,
  receivedAt: Number(r.received_at),
});

export function playInboxRepository(db: Database, box: SecretBox): PlayInboxRepository {
  const toEndpoint = endpointReader(box);
  return {
    async create(inbox: PlayInbox): Promise<PlayInbox> {
      await db.run(
        'INSERT INTO play_inboxes (id, app_id, url, created_at, expires_at) VALUES (?, ?, ?, ?, ?)',
        [inbox.id, inbox.appId, inbox.url, inbox.createdAt, inbox.expiresAt],
      );
      return inbox;
    },

    async find(id: string): Promise<PlayInbox | null> {
      const row = await db.get<InboxRow>('SELECT * FROM play_inboxes WHERE id = ?', [id]);
      return row ? toInbox(row) : null;
    },

    async addRequest(request: PlayRequest, keep: number): Promise<boolean> {
      return db.transaction(async (tx) => {
        const inbox = await tx.get('SELECT id FROM play_inboxes WHERE id = ?', [request.inboxId]);
        if (!inbox) return false;
        await tx.run(
          'INSERT INTO play_requests (id, inbox_id, method, path, headers, body, body_size, signature, received_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
          [
            request.id,
            request.inboxId,
            request.method,
            request.path,
            JSON.stringify(request.headers),
            request.body,
            request.bodySize,
            JSON.stringify(request.signature),
            request.receivedAt,
          ],
        );
        await tx.run(
          'DELETE FROM play_requests WHERE inbox_id = ? AND id NOT IN (SELECT id FROM play_requests WHERE inbox_id = ? ORDER BY id DESC LIMIT ?)',
          [request.inboxId, request.inboxId, keep],
        );
        return true;
      });
    },

    async listRequests(
      inboxId: string,
      options: { after?: string | null; limit: number },
    ): Promise<PlayRequest[]> {
      const rows = await db.all<RequestRow>(
        options.after
          ? 'SELECT * FROM play_requests WHERE inbox_id = ? AND id > ? ORDER BY id LIMIT ?'
          : 'SELECT * FROM play_requests WHERE inbox_id = ? ORDER BY id LIMIT ?',
        options.after ? [inboxId, options.after, options.limit] : [inboxId, options.limit],
      );
      return rows.map(toRequest);
    },

    async endpointsPointingAt(inboxId: string, appId: string | null): Promise<Endpoint[]> {
      // An inbox id is hex: nothing in it is a LIKE wildcard.
      const pattern = `%/play/in/${inboxId}%`;
      const rows = await db.all<EndpointRow>(
        appId === null
          ? 'SELECT * FROM endpoints WHERE url LIKE ? ORDER BY id LIMIT 50'
          : 'SELECT * FROM endpoints WHERE app_id = ? AND url LIKE ? ORDER BY id LIMIT 50',
        appId === null ? [pattern] : [appId, pattern],
      );
      return rows.map(toEndpoint);
    },

    async purgeExpired(now: number): Promise<number> {
      const result = await db.run('DELETE FROM play_inboxes WHERE expires_at < ?', [now]);
      return result.changes;
    },
  };
}
