import { and, eq, gte, inArray, isNull, ne, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaints, users } from '../../../db/schema.ts';
import {
  assignmentEvents,
  assignments,
  departmentActions,
  type AssignmentOutcome,
  type AssignmentStatus,
} from '../../../db/schema-supervision.ts';
import { audit } from '../accounts/audit.ts';
import { notify } from '../accounts/notifications.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { insertFieldPhotos, withEvidence, withoutEvidence, type EvidenceDeps } from '../shared/photos/evidence.ts';
import { answeredBefore, type FieldSubmission, submitted } from '../shared/field-submission.ts';
import { fail, type Result } from '../shared/result.ts';
import { OFFICE } from '../shared/roles.ts';
import { officeOfComplaint } from './office-audience.ts';
import { fmtTime } from '../shared/time.ts';
import { applyAction, type Limits } from './actions.ts';
import { isAssignee, visibleAssignment } from './assignment-scope.ts';
import {
  ASSIGNMENT_ACTION_LABELS,
  ASSIGNMENT_STATUS_NAMES,
  ASSIGNMENT_TRANSITIONS,
  LIVE_ASSIGNMENT,
  nextAssignmentStatus,
  outcomeName,
  type AnswerInput,
  type AssignmentAction,
  type AssignmentActionInput,
  type DepartmentActionInput,
} from './assignment-workflow.ts';

type Item = typeof assignments.$inferSelect;
export type AssignmentResult = Result<{ version: number; status: AssignmentStatus; complaintStatus?: string }>;

/** The reply the reporter gets when the office approves an answer without writing its own. */
export const DEFAULT_REPLIES: Partial<Record<AssignmentOutcome, string>> = {
  stopped: '经属地核查，您反映的问题属实，现已制止（整改）。感谢您的监督。',
  unfounded: '经属地现场核查，未发现您反映的问题。如问题仍然存在，欢迎补充线索再次举报。',
};

/** Loads a visible item and checks the version the caller read, the state machine and who may act. */
function check(tx: Db | Tx, user: StaffUser, id: number, action: AssignmentAction, version: number) {
  const item = tx.select().from(assignments).where(visibleAssignment(user, id)).get();
  if (!item) return fail(404, '交办事项不存在或无权查看');
  if (item.version !== version) {
    const by = item.updatedBy
      ? tx.select({ name: users.displayName }).from(users).where(eq(users.id, item.updatedBy)).get()?.name
      : null;
    return fail(409, `这件交办事项已被${by ?? '他人'}于 ${fmtTime(item.updatedAt)} 处理，请刷新后再操作`);
  }
  // Who may act is said before what the state allows: a village officer is told review is the office's.
  const label = ASSIGNMENT_ACTION_LABELS[action];
  const by = ASSIGNMENT_TRANSITIONS[action].by;
  if (by === 'assignee' && !isAssignee(user, item))
    return fail(403, item.departmentId == null ? `只有属地村（社区）可以${label}` : `只有承办部门可以${label}`);
  if (by === 'office' && !OFFICE.includes(user.role)) return fail(403, `只有整治办可以${label}`);
  const to = nextAssignmentStatus(action, item.status);
  if (!to) return fail(400, `当前状态「${ASSIGNMENT_STATUS_NAMES[item.status]}」不能${label}`);
  return { ok: true as const, item, to };
}

/** Writes the new state (version-checked), its event and its audit row. */
function save(
  tx: Tx,
  user: StaffUser,
  item: Item,
  action: AssignmentAction,
  to: AssignmentStatus,
  set: Partial<typeof assignments.$inferInsert>,
  note: string | null,
  now: Date,
  details: Record<string, unknown> = {},
) {
  const r = tx
    .update(assignments)
    .set({ ...set, status: to, version: item.version + 1, updatedAt: now, updatedBy: user.id })
    .where(and(eq(assignments.id, item.id), eq(assignments.version, item.version)))
    .run();
  if (r.changes !== 1) return false;
  tx.insert(assignmentEvents)
    .values({ assignmentId: item.id, action, fromStatus: item.status, toStatus: to, actorId: user.id, note, at: now })
    .run();
  audit(
    tx,
    { id: user.id, label: user.displayName },
    {
      action: `assignment.${action}`,
      objectType: 'assignment',
      objectId: item.id,
      reason: action === 'return' ? note : null,
      details: { complaintId: item.complaintId, from: item.status, to, ...details },
    },
    now,
  );
  return true;
}

const assigneeOf = (item: Item) =>
  item.departmentId == null ? { villageId: item.villageId } : { departmentId: item.departmentId };
const raced = () => fail(409, '这件交办事项刚被他人处理，请刷新后再操作');

/** 签收, 审核通过, 退回 and 督办: version-checked, through the state machine, evented and audited. */
export function actOnAssignment(
  db: Db,
  user: StaffUser,
  id: number,
  input: AssignmentActionInput,
  limits: Limits,
  now: Date,
): AssignmentResult {
  return db.transaction((tx): AssignmentResult => {
    const c = check(tx, user, id, input.action, input.version);
    if (!c.ok) return c;
    const { item, to } = c;
    const link = `/admin/assignments/${id}`;
    switch (input.action) {
      case 'acknowledge':
        if (!save(tx, user, item, 'acknowledge', to, { acknowledgedAt: now, acknowledgedBy: user.id }, null, now))
          return raced();
        return { ok: true, version: item.version + 1, status: to };
      case 'return':
        if (!save(tx, user, item, 'return', to, { returnCount: item.returnCount + 1 }, input.reason, now))
          return raced();
        notify(
          tx,
          assigneeOf(item),
          {
            kind: 'returned',
            text: `举报 #${item.complaintId} 的反馈被退回：${input.reason}`,
            link,
            dedupeKey: `returned:${id}:${item.returnCount + 1}`,
          },
          now,
        );
        return { ok: true, version: item.version + 1, status: to };
      case 'urge': {
        const n = item.urgeCount + 1;
        if (!save(tx, user, item, 'urge', to, { urgeCount: n, lastUrgedAt: now }, input.note, now, { urge: n }))
          return raced();
        notify(
          tx,
          assigneeOf(item),
          {
            kind: 'urged',
            text: `督办：举报 #${item.complaintId}，${input.note}`,
            link,
            dedupeKey: `urged:${id}:${n}`,
          },
          now,
        );
        return { ok: true, version: item.version + 1, status: to };
      }
      case 'approve':
        return approve(tx, user, item, to, input, limits, now);
    }
  });
}

/**
 * The office accepts an answer. The complaint resolves, with a reply on /track, when this was its last
 * open item and the report needs no case; "不属本村" sends the complaint back to the office to assign again.
 */
function approve(
  tx: Tx,
  user: StaffUser,
  item: Item,
  to: AssignmentStatus,
  input: Extract<AssignmentActionInput, { action: 'approve' }>,
  limits: Limits,
  now: Date,
): AssignmentResult {
  if (!save(tx, user, item, 'approve', to, { reviewedAt: now, reviewedBy: user.id }, input.note ?? null, now))
    return raced();
  const ok = (complaintStatus?: string): AssignmentResult => ({
    ok: true,
    version: item.version + 1,
    status: to,
    ...(complaintStatus ? { complaintStatus } : {}),
  });
  const complaint = tx
    .select({ status: complaints.status, version: complaints.version })
    .from(complaints)
    .where(eq(complaints.id, item.complaintId))
    .get()!;
  if (complaint.status !== 'assigned') return ok();
  const outcome = item.outcome!;
  const village = item.departmentId == null;
  if (village && outcome === 'not_ours') {
    const r = applyAction(
      tx,
      user,
      item.complaintId,
      {
        action: 'reroute',
        version: complaint.version,
        reason: `村（社区）反馈不属本村：${item.finding}`,
        note: input.note,
      },
      limits,
      now,
    );
    return r.ok ? ok(r.status) : r;
  }
  const othersOpen = tx
    .select({ n: sql<number>`count(*)` })
    .from(assignments)
    .where(
      and(
        eq(assignments.complaintId, item.complaintId),
        ne(assignments.id, item.id),
        inArray(assignments.status, [...LIVE_ASSIGNMENT]),
      ),
    )
    .get()!.n;
  if (othersOpen > 0) return ok();
  // Decided on all the answers of this 交办 (a re-assignment starts again with the village's item), not on the
  // one approved last: a case to open keeps the complaint open, and the reporter is told it was stopped if anyone
  // stopped it, whatever order the office approves them in.
  const round = tx
    .select({ id: sql<number>`max(${assignments.id})` })
    .from(assignments)
    .where(and(eq(assignments.complaintId, item.complaintId), isNull(assignments.departmentId)))
    .get()!.id;
  const outcomes = tx
    .select({ outcome: assignments.outcome })
    .from(assignments)
    .where(
      and(
        eq(assignments.complaintId, item.complaintId),
        gte(assignments.id, round),
        eq(assignments.status, 'approved'),
      ),
    )
    .all()
    .map((a) => a.outcome);
  if (outcomes.includes('needs_case')) return ok();
  const found = (['stopped', 'unfounded'] as const).find((o) => outcomes.includes(o));
  if (!found) return ok();
  const reply = input.reply ?? DEFAULT_REPLIES[found]!;
  const r = applyAction(
    tx,
    user,
    item.complaintId,
    { action: 'resolve', version: complaint.version, reply, note: input.note },
    limits,
    now,
  );
  return r.ok ? ok(r.status) : r;
}

/** 核查反馈: the outcome, what was found and on-site photos (not needed for "不属本村"), for the office to review. */
export async function answerAssignment(
  deps: EvidenceDeps,
  user: StaffUser,
  id: number,
  input: AnswerInput,
  photos: Buffer[],
  now: Date,
  fromPhone?: FieldSubmission,
): Promise<AssignmentResult> {
  const sent = submitted(user, fromPhone, `assignment-answer:${id}`, now);
  const before = answeredBefore<Extract<AssignmentResult, { ok: true }>>(deps.db, sent.once);
  if (before) return before;
  const first = check(deps.db, user, id, 'answer', input.version);
  if (!first.ok) return first;
  const department = first.item.departmentId != null;
  const run = (tx: Tx, files: Parameters<typeof insertFieldPhotos>[3]): AssignmentResult => {
    const c = check(tx, user, id, 'answer', input.version); // it may have moved while the photos were processed
    if (!c.ok) return c;
    const { item, to } = c;
    const set = { answeredAt: now, answeredBy: user.id, outcome: input.outcome, finding: input.finding };
    const summary = `${outcomeName(input.outcome, department)}：${input.finding}`;
    if (!save(tx, user, item, 'answer', to, set, summary, now, { outcome: input.outcome, photos: files.length }))
      return raced();
    insertFieldPhotos(tx, { subject: 'assignment', subjectId: id }, user.id, files);
    notify(
      tx,
      officeOfComplaint(tx, item.complaintId),
      {
        kind: 'answered',
        text: `举报 #${item.complaintId} 已反馈（${outcomeName(input.outcome, department)}），待审核`,
        link: `/admin/assignments/${id}`,
        dedupeKey: `answered:${id}:${item.version + 1}`,
      },
      now,
    );
    return { ok: true, version: item.version + 1, status: to };
  };
  if (photos.length === 0) {
    if (input.outcome !== 'not_ours') return fail(400, '请拍摄或选择至少一张现场照片');
    return withoutEvidence(deps.db, run, sent);
  }
  return withEvidence(deps, photos, input, run, sent);
}

/** A department's 立案, 处罚决定 or 移送公安, with the document's photos or scans. */
export async function recordDepartmentAction(
  deps: EvidenceDeps,
  user: StaffUser,
  id: number,
  input: DepartmentActionInput,
  photos: Buffer[],
  now: Date,
  fromPhone?: FieldSubmission,
): Promise<Result<{ actionId: number }>> {
  const sent = submitted(user, fromPhone, `department-action:${id}`, now);
  const before = answeredBefore<{ actionId: number }>(deps.db, sent.once);
  if (before) return before;
  const allowed = (tx: Db | Tx) => {
    const item = tx.select().from(assignments).where(visibleAssignment(user, id)).get();
    if (!item) return fail(404, '交办事项不存在或无权查看');
    if (item.departmentId == null || !isAssignee(user, item)) return fail(403, '只有承办部门可以登记立案、处罚或移送');
    if (!nextAssignmentStatus('record', item.status))
      return fail(400, `当前状态「${ASSIGNMENT_STATUS_NAMES[item.status]}」不能登记执法`);
    return { ok: true as const, item };
  };
  const first = allowed(deps.db);
  if (!first.ok) return first;
  const run = (tx: Tx, files: Parameters<typeof insertFieldPhotos>[3]): Result<{ actionId: number }> => {
    const a = allowed(tx);
    if (!a.ok) return a;
    const row = tx
      .insert(departmentActions)
      .values({
        assignmentId: id,
        departmentId: a.item.departmentId!,
        kind: input.kind,
        documentNumber: input.documentNumber,
        actedOn: input.actedOn,
        penaltyKind: input.kind === 'penalty' ? (input.penaltyKind ?? null) : null,
        amountYuan: input.kind === 'penalty' ? (input.amountYuan ?? null) : null,
        note: input.note ?? null,
        recordedBy: user.id,
        recordedAt: now,
      })
      .returning({ id: departmentActions.id })
      .get();
    insertFieldPhotos(tx, { subject: 'department_action', subjectId: row.id }, user.id, files);
    // A record adds to the item without changing it: an answer being written meanwhile stays valid.
    tx.insert(assignmentEvents)
      .values({
        assignmentId: id,
        action: 'record',
        fromStatus: a.item.status,
        toStatus: a.item.status,
        actorId: user.id,
        note: `${input.kind}:${input.documentNumber}`,
        at: now,
      })
      .run();
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: `assignment.record.${input.kind}`,
        objectType: 'assignment',
        objectId: id,
        details: { complaintId: a.item.complaintId, actionId: row.id, photos: files.length },
      },
      now,
    );
    return { ok: true, actionId: row.id };
  };
  if (photos.length === 0) return withoutEvidence(deps.db, run, sent);
  return withEvidence(deps, photos, input, run, sent);
}
