import { and, asc, between, eq, inArray } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaints, users, villages } from '../../../db/schema.ts';
import {
  enterpriseComplaints,
  enterprises,
  inspectionDrawItems,
  inspectionDraws,
  nightPatrols,
  patrolFindings,
  revisits,
  tasks,
} from '../../../db/schema-enforcement.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { complaintScope } from '../complaints/scope.ts';
import { hasRole, OFFICE_READ } from '../shared/roles.ts';
import { enterpriseScope, revisitScope, taskScope, visibleEnterprise } from './scope.ts';
import { patrolScope } from './patrols.ts';
import { drawScope } from './draws.ts';
import { metresBetween } from '../shared/geo.ts';

/** 一企一档: the file and every complaint, task, revisit, inspection and patrol finding about it. */
export function getEnterpriseFile(db: Db, user: StaffUser, id: number) {
  const e = db.select().from(enterprises).where(visibleEnterprise(user, id)).get();
  if (!e) return null;
  const village = db.select({ name: villages.name }).from(villages).where(eq(villages.id, e.villageId)).get()!;
  const linked = db
    .select({
      id: complaints.id,
      status: complaints.status,
      description: complaints.description,
      createdAt: complaints.createdAt,
    })
    .from(enterpriseComplaints)
    .innerJoin(complaints, eq(complaints.id, enterpriseComplaints.complaintId))
    .where(and(eq(enterpriseComplaints.enterpriseId, id), complaintScope(user)))
    .orderBy(asc(complaints.id))
    .all();
  const taskRows = db
    .select({
      id: tasks.id,
      type: tasks.type,
      status: tasks.status,
      dueAt: tasks.dueAt,
      createdAt: tasks.createdAt,
      acceptedAt: tasks.acceptedAt,
      origin: tasks.origin,
    })
    .from(tasks)
    .where(and(eq(tasks.enterpriseId, id), taskScope(user)))
    .orderBy(asc(tasks.id))
    .all();
  const visits = db
    .select({
      id: revisits.id,
      dueAt: revisits.dueAt,
      status: revisits.status,
      outcome: revisits.outcome,
      note: revisits.note,
      doneAt: revisits.doneAt,
      doneBy: users.displayName,
      followUpTaskId: revisits.followUpTaskId,
    })
    .from(revisits)
    .leftJoin(users, eq(users.id, revisits.doneBy))
    .where(and(eq(revisits.enterpriseId, id), revisitScope(user)))
    .orderBy(asc(revisits.dueAt))
    .all();
  // A finding's follow-up task (perhaps a new workshop's, or in another village since) is linked only if this user may
  // open it.
  const followUps = visits.flatMap((v) => (v.followUpTaskId === null ? [] : [v.followUpTaskId]));
  const openable = new Set(
    followUps.length
      ? db
          .select({ id: tasks.id })
          .from(tasks)
          .where(and(inArray(tasks.id, followUps), taskScope(user)))
          .all()
          .map((t) => t.id)
      : [],
  );
  const revisitRows = visits.map((v) =>
    v.followUpTaskId === null || openable.has(v.followUpTaskId) ? v : { ...v, followUpTaskId: null },
  );
  // Draws are the office's: a village must not learn of a surprise inspection from the file.
  const seesDraws = hasRole(user, OFFICE_READ);
  const inspections = !seesDraws
    ? []
    : db
        .select({
          drawId: inspectionDraws.id,
          title: inspectionDraws.title,
          drawnAt: inspectionDraws.createdAt,
          outcome: inspectionDrawItems.outcome,
          note: inspectionDrawItems.note,
        })
        .from(inspectionDrawItems)
        .innerJoin(inspectionDraws, eq(inspectionDraws.id, inspectionDrawItems.drawId))
        .where(and(eq(inspectionDrawItems.enterpriseId, id), drawScope(user)))
        .all();
  const patrols = db
    .select({
      patrolId: nightPatrols.id,
      startedAt: nightPatrols.startedAt,
      area: nightPatrols.area,
      note: patrolFindings.note,
    })
    .from(patrolFindings)
    .innerJoin(nightPatrols, eq(nightPatrols.id, patrolFindings.patrolId))
    .where(and(eq(patrolFindings.enterpriseId, id), patrolScope(user)))
    .all();
  return {
    ...e,
    villageName: village.name,
    complaints: linked,
    tasks: taskRows,
    revisits: revisitRows,
    inspections,
    patrols,
  };
}

/** Files near a complaint's point, nearest first: staff link the complaint instead of opening a duplicate. */
export function nearbyEnterprises(db: Db, user: StaffUser, point: { lat: number; lng: number }, radiusM = 300) {
  const dLat = radiusM / 111_000,
    dLng = radiusM / (111_000 * Math.cos((point.lat * Math.PI) / 180));
  return db
    .select({
      id: enterprises.id,
      name: enterprises.name,
      address: enterprises.address,
      status: enterprises.status,
      lat: enterprises.lat,
      lng: enterprises.lng,
    })
    .from(enterprises)
    .where(
      and(
        enterpriseScope(user),
        between(enterprises.lat, point.lat - dLat, point.lat + dLat),
        between(enterprises.lng, point.lng - dLng, point.lng + dLng),
      ),
    )
    .all()
    .map((e) => ({ ...e, metres: Math.round(metresBetween(point, { lat: e.lat!, lng: e.lng! })) }))
    .filter((e) => e.metres <= radiusM)
    .sort((a, b) => a.metres - b.metres)
    .slice(0, 5);
}

/** The enterprise a complaint is filed under, if any. */
export const enterpriseOfComplaint = (db: Db, user: StaffUser, complaintId: number) =>
  db
    .select({ id: enterprises.id, name: enterprises.name })
    .from(enterpriseComplaints)
    .innerJoin(enterprises, eq(enterprises.id, enterpriseComplaints.enterpriseId))
    .where(and(eq(enterpriseComplaints.complaintId, complaintId), enterpriseScope(user)))
    .get() ?? null;
