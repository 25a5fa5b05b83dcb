import type { Db } from '../../../db/client.ts';
import { auditLog } from '../../../db/schema.ts';

export interface Actor {
  id: number | null;
  label: string;
}

export interface AuditEntry {
  action: string;
  objectType: string;
  objectId: string | number;
  reason?: string | null;
  details?: Record<string, unknown>;
}

type Writer = Pick<Db, 'insert'>;

/** Appends one row to the audit log (the database refuses to change or delete it). */
export function audit(db: Writer, actor: Actor, entry: AuditEntry, at: Date = new Date()): void {
  db.insert(auditLog)
    .values({
      at,
      actorId: actor.id,
      actorLabel: actor.label,
      action: entry.action,
      objectType: entry.objectType,
      objectId: String(entry.objectId),
      reason: entry.reason ?? null,
      details: entry.details ?? null,
    })
    .run();
}
