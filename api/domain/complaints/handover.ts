import { and, eq, inArray, isNotNull, ne } from 'drizzle-orm';
import type { Tx } from '../../../db/client.ts';
import { complaintDepartments, type complaints, departments, townships } from '../../../db/schema.ts';
import { notify } from '../accounts/notifications.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { borderTownship, currentCountyAreas, villageAt } from '../shared/county-routing.ts';
import { withdrawLiveItems } from './assignment-items.ts';

type Row = typeof complaints.$inferSelect;

export type HandoverChange =
  | { ok: true; set: Partial<Row>; details: Record<string, unknown>; to: { id: number; name: string } }
  | { ok: false; status: 400; message: string };

/**
 * 移交 (decision 024): the receiving township holds the report, its village re-routed within that township (or held at
 * township level); the border flag stays only for a third township near the point, never the two that settled it or
 * the office that handed it on. The old township's open work items are withdrawn, and its 站所 leave the report.
 */
export function handoverChange(tx: Tx, user: StaffUser, row: Row, toTownshipId: number, now: Date): HandoverChange {
  const to = tx
    .select({ id: townships.id, name: townships.name })
    .from(townships)
    .where(eq(townships.id, toTownshipId))
    .get();
  if (!to) return { ok: false, status: 400, message: '接收的乡镇（街道）不存在' };
  if (to.id === row.townshipId) return { ok: false, status: 400, message: `这条举报已由${to.name}办理，无需移交` };
  const county = currentCountyAreas(tx);
  // A placeholder point (decision 016) lies nowhere: the new office places it.
  const village = row.needsLocation ? null : villageAt(county, row.lat, row.lng, to.id);
  const except = [to.id, row.townshipId, ...(user.townshipId == null ? [] : [user.townshipId])];
  const border = row.needsLocation ? null : borderTownship(county, row.lat, row.lng, except);
  const withdrawn = withdrawLiveItems(tx, row.id, user.id, `举报已移交${to.name}，由其重新交办`, now);
  // A 站所 works only in its own township: it leaves the report; county departments stay joined.
  const stations = tx
    .select({ id: departments.id })
    .from(complaintDepartments)
    .innerJoin(departments, eq(departments.id, complaintDepartments.departmentId))
    .where(
      and(
        eq(complaintDepartments.complaintId, row.id),
        isNotNull(departments.townshipId),
        ne(departments.townshipId, to.id),
      ),
    )
    .all()
    .map((d) => d.id);
  if (stations.length)
    tx.delete(complaintDepartments)
      .where(and(eq(complaintDepartments.complaintId, row.id), inArray(complaintDepartments.departmentId, stations)))
      .run();
  return {
    ok: true,
    to,
    set: {
      townshipId: to.id,
      villageId: village?.id ?? null,
      outsideVillages: !village && !row.needsLocation,
      borderTownshipId: border,
    },
    details: {
      fromTownshipId: row.townshipId,
      toTownshipId: to.id,
      villageId: village?.id ?? null,
      borderTownshipId: border,
      withdrawn,
      stationsLeft: stations,
    },
  };
}

/** The receiving office is told in-app (and on the channels each account chose), in the action's transaction. */
export function noticeHandover(tx: Tx, complaintId: number, to: { id: number; name: string }, from: string, now: Date) {
  return notify(
    tx,
    // The receiving township's 受理员, and the county's office, which oversees disputes between townships.
    { roles: ['triage'], townshipIds: [to.id] },
    {
      kind: 'handover',
      text: `举报 #${complaintId} 由${from}移交${to.name}办理`,
      link: `/admin/complaints/${complaintId}`,
      dedupeKey: `handover:${complaintId}:${now.getTime()}`,
    },
    now,
  );
}

export const townshipName = (tx: Tx, id: number) =>
  tx.select({ name: townships.name }).from(townships).where(eq(townships.id, id)).get()?.name ?? '';
