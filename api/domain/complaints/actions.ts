import { and, eq, isNull, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import {
  complaintCategories,
  complaintDepartments,
  complaintEvents,
  complaints,
  departments,
  users,
  villages,
} from '../../../db/schema.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { notifyReporter } from '../messages/outbox.ts';
import { createItems, withdrawLiveItems } from './assignment-items.ts';
import { settleFollowups } from './followups.ts';
import { visibleComplaint } from './scope.ts';
import { bumpPublicCases } from '../shared/public-version.ts';
import { DAY_MS, fmtTime } from '../shared/time.ts';
import { currentCountyAreas, routeInCounty } from '../shared/county-routing.ts';
import { handoverChange, noticeHandover, townshipName, type HandoverChange } from './handover.ts';
import { ACTION_LABELS, nextStatus, STATUS_NAMES, type ActionInput } from './workflow.ts';

export interface Limits {
  finishDays: number;
  extensionMaxDays: number;
  /** 交办's own limits for each work item (env ASSIGN_ACK_WORKDAYS, ASSIGN_ANSWER_DAYS). */
  ackWorkdays: number;
  answerDays: number;
}

export type ActionResult =
  | { ok: true; version: number; status: string }
  | { ok: false; status: 400 | 404 | 409; message: string };

const fail = (status: 400 | 404 | 409, message: string): ActionResult => ({ ok: false, status, message });

function visible(db: Pick<Db, 'select'>, user: StaffUser, id: number) {
  return db.select().from(complaints).where(visibleComplaint(user, id)).get();
}

/** Applies one staff action through the state machine: version-checked, evented, audited. */
export function applyAction(
  db: Db | Tx,
  user: StaffUser,
  id: number,
  input: ActionInput,
  limits: Limits,
  now = new Date(),
): ActionResult {
  return db.transaction((tx) => {
    const row = visible(tx, user, id);
    if (!row) return fail(404, '举报不存在或无权查看');
    if (row.version !== input.version) {
      const by = row.updatedBy
        ? tx.select({ name: users.displayName }).from(users).where(eq(users.id, row.updatedBy)).get()?.name
        : null;
      return fail(409, `这条举报已被${by ?? '他人'}于 ${fmtTime(row.updatedAt)} 修改，请刷新后再操作`);
    }
    const to = nextStatus(input.action, row.status);
    if (!to) return fail(400, `当前状态「${STATUS_NAMES[row.status]}」不能执行「${ACTION_LABELS[input.action]}」`);

    const set: Partial<typeof complaints.$inferInsert> = { status: to };
    let handover: HandoverChange | undefined;
    let reason: string | null = null;
    const details: Record<string, unknown> = {};
    switch (input.action) {
      case 'accept':
        Object.assign(set, { acceptedAt: now, dueAt: new Date(now.getTime() + limits.finishDays * DAY_MS) });
        break;
      case 'reject':
        reason = input.detail ? `${input.reason}：${input.detail}` : input.reason;
        break;
      case 'merge': {
        if (input.targetId === id) return fail(400, '不能合并到自己');
        const target = visible(tx, user, input.targetId);
        // A county account sees every township's reports; a merge still joins two of one township.
        if (!target || target.townshipId !== row.townshipId)
          return fail(400, '要合并到的举报不存在或不在同一乡镇（街道）');
        if (target.status === 'merged' || target.status === 'rejected')
          return fail(400, '不能合并到已合并或不予受理的举报');
        set.mergedIntoId = target.id;
        details.targetId = target.id;
        bumpPublicCases(); // the target's enterprise's published cases now mask this reporter too: cached pages go
        break;
      }
      case 'assign': {
        if (row.needsLocation) return fail(400, '这条举报只有地址描述，请先在地图上确定位置，再交办');
        const village = tx
          .select({ id: villages.id })
          .from(villages)
          .where(and(eq(villages.id, input.villageId), eq(villages.townshipId, row.townshipId)))
          .get();
        if (!village) return fail(400, '属地村（社区）不存在或不属于本举报所在乡镇（街道）');
        // A county department joins work in any township, a 站所 only in its own.
        const known = input.departmentIds.length
          ? tx
              .select({ id: departments.id })
              .from(departments)
              .where(
                and(
                  sql`${departments.id} in ${input.departmentIds}`,
                  or(isNull(departments.townshipId), eq(departments.townshipId, row.townshipId)),
                ),
              )
              .all()
          : [];
        if (known.length !== new Set(input.departmentIds).size)
          return fail(400, '参与部门不存在或不能参与本乡镇（街道）的工作');
        set.villageId = input.villageId;
        tx.delete(complaintDepartments).where(eq(complaintDepartments.complaintId, id)).run();
        for (const d of known) tx.insert(complaintDepartments).values({ complaintId: id, departmentId: d.id }).run();
        const items = createItems(
          tx,
          user.id,
          { id, villageId: input.villageId, dueAt: row.dueAt },
          known.map((d) => d.id),
          limits,
          now,
        );
        Object.assign(details, { villageId: input.villageId, departmentIds: known.map((d) => d.id), items });
        break;
      }
      case 'resolve':
      case 'close':
        details.withdrawn = withdrawLiveItems(tx, id, user.id, `举报已${ACTION_LABELS[input.action]}`, now);
        break;
      case 'reroute':
        reason = input.reason;
        details.withdrawn = withdrawLiveItems(tx, id, user.id, '收回待重新交办', now);
        break;
      case 'reopen':
        reason = input.reason;
        if (to === 'submitted') set.mergedIntoId = null;
        if (to === 'accepted') set.dueAt = new Date(now.getTime() + limits.finishDays * DAY_MS);
        break;
      case 'extend':
        if (row.extendedDays > 0) return fail(400, '每条举报只能延期一次');
        if (input.days > limits.extensionMaxDays) return fail(400, `延期最多 ${limits.extensionMaxDays} 天`);
        Object.assign(set, { extendedDays: input.days, dueAt: new Date(row.dueAt.getTime() + input.days * DAY_MS) });
        reason = input.reason;
        details.days = input.days;
        break;
      case 'locate': {
        // The point of a report filed with an address only, or a resident's pin put right; routed as a pin
        // is: the village whose outline holds it, else held by the township.
        // Township, village and border are decided again from the new point (decision 024).
        const route = routeInCounty(currentCountyAreas(tx), input.lat, input.lng);
        const village = route?.village?.id ?? null;
        Object.assign(set, {
          lat: input.lat,
          lng: input.lng,
          needsLocation: false,
          villageId: village,
          outsideVillages: village === null,
          ...(route && { townshipId: route.townshipId, borderTownshipId: route.borderTownshipId }),
        });
        Object.assign(details, { lat: input.lat, lng: input.lng, villageId: village, ...(route && { route }) });
        break;
      }
      case 'handover': {
        handover = handoverChange(tx, user, row, input.toTownshipId, now);
        if (!handover.ok) return fail(handover.status, handover.message);
        Object.assign(set, handover.set);
        Object.assign(details, handover.details);
        reason = input.reason;
        break;
      }
      case 'classify':
        if (
          !tx
            .select({ id: complaintCategories.id })
            .from(complaintCategories)
            .where(eq(complaintCategories.id, input.categoryId))
            .get()
        )
          return fail(400, '类别不存在');
        set.categoryId = input.categoryId;
        details.categoryId = input.categoryId;
        break;
    }
    // A status change is the office acting on what the reporter sent back (followups.ts): the queue's flag goes.
    const settles = row.reporterAlert !== null && to !== row.status;
    if (settles) Object.assign(set, { reporterAlert: null, reporterAlertAt: null });
    const updated = tx
      .update(complaints)
      .set({ ...set, version: row.version + 1, updatedBy: user.id, updatedAt: now })
      .where(and(eq(complaints.id, id), eq(complaints.version, input.version)))
      .run();
    if (updated.changes !== 1) return fail(409, '这条举报刚被他人修改，请刷新后再操作');
    if (settles)
      Object.assign(details, {
        reporterAlert: row.reporterAlert,
        followups: settleFollowups(tx, id, user.id, ACTION_LABELS[input.action], now),
      });
    const reply = 'reply' in input && input.reply ? input.reply : null;
    // The reporter is owed the reason a report is refused (and told when a deadline moves).
    const owed = input.action === 'reject' || input.action === 'extend' ? `理由：${reason}` : null;
    const publicNote = [owed, reply].filter(Boolean).join('\n') || null;
    const internalNote =
      [input.action === 'reject' ? null : reason, 'note' in input ? input.note : null].filter(Boolean).join('\n') ||
      null;
    tx.insert(complaintEvents)
      .values({
        complaintId: id,
        fromStatus: row.status,
        toStatus: to,
        action: input.action,
        actorId: user.id,
        publicNote,
        internalNote,
        at: now,
      })
      .run();
    // The reporter who opted in is told in this transaction: a refused or raced action tells nobody.
    const told = input.action === 'accept' ? 'accepted' : input.action === 'resolve' ? 'resolved' : null;
    if (told || publicNote) notifyReporter(tx, id, told ?? 'replied', {}, now);
    if (handover?.ok) noticeHandover(tx, id, handover.to, townshipName(tx, row.townshipId), now);
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: `complaint.${input.action}`,
        objectType: 'complaint',
        objectId: id,
        reason,
        details: { from: row.status, to, ...details, replied: !!publicNote },
      },
      now,
    );
    return { ok: true, version: row.version + 1, status: to };
  });
}
