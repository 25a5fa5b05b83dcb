import { and, asc, eq, inArray, sql } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { complaints, departments, users } from '../../../db/schema.ts';
import {
  enterpriseComplaints,
  inspectionDrawItems,
  inspectionDraws,
  nightPatrols,
  patrolFindings,
  revisits,
  taskEvidence,
  taskItems,
  tasks,
} from '../../../db/schema-enforcement.ts';
import { assignments, departmentActions, type FieldPhotoSubject, fieldPhotos } from '../../../db/schema-supervision.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { assignmentScope } from '../complaints/assignment-scope.ts';
import { DEPARTMENT_ACTION_NAMES, outcomeName } from '../complaints/assignment-workflow.ts';
import { complaintScope } from '../complaints/scope.ts';
import { beijingDate } from '../shared/time.ts';
import { hasRole, OFFICE_READ } from '../shared/roles.ts';
import { INSPECTION_OUTCOME_LABELS, REMEDIATION_LABELS, REVISIT_OUTCOME_LABELS } from './labels.ts';
import { patrolScope } from './patrols.ts';
import { drawScope } from './draws.ts';
import { revisitScope, taskScope } from './scope.ts';

export type EvidenceKind = 'task' | 'revisit' | 'draw' | 'patrol' | 'assignment' | 'department_action';

export const EVIDENCE_KIND_LABELS: Record<EvidenceKind, string> = {
  task: '整治任务清单',
  revisit: '回头看',
  draw: '双随机抽查',
  patrol: '夜查',
  assignment: '交办反馈',
  department_action: '部门执法记录',
};

type Point = { lat: number | null; lng: number | null };

/** One stored evidence photo of the file, with what it proves and where it should have been taken. */
export interface EvidenceSource {
  id: string;
  kind: EvidenceKind;
  /** The folder in the package, ASCII: e.g. task-12-line-3. */
  folder: string;
  evidenceOf: string;
  documentNumber: string | null;
  /** Where it should have been taken: the enterprise, or for a 交办 answer the reported point (as reviewers see). */
  site: Point;
  file: string;
  originalFile: string | null;
  sha256: string | null;
  exifLat: number | null;
  exifLng: number | null;
  exifTakenAt: Date | null;
  exifSource: 'file' | 'browser' | null;
  accuracyM: number | null;
  deviceTakenAt: Date | null;
  clockOffsetMs: number | null;
  receivedAt: Date;
  uploaderName: string;
  uploaderAccount: string;
}

const photoColumns = (t: typeof taskEvidence | typeof fieldPhotos) => ({
  id: t.id,
  file: t.file,
  originalFile: t.originalFile,
  sha256: t.sha256,
  exifLat: t.exifLat,
  exifLng: t.exifLng,
  exifTakenAt: t.exifTakenAt,
  exifSource: t.exifSource,
  accuracyM: t.accuracyM,
  deviceTakenAt: t.deviceTakenAt,
  clockOffsetMs: t.clockOffsetMs,
  receivedAt: t.createdAt,
  uploaderName: users.displayName,
  uploaderAccount: users.username,
});
type PhotoRow = Omit<EvidenceSource, 'kind' | 'folder' | 'evidenceOf' | 'documentNumber' | 'site'>;

/** The field photos of some subjects, oldest first (ids are random: rowid keeps one upload's order). */
function fieldPhotosOf(db: Db, subject: FieldPhotoSubject, subjectIds: number[], partId?: number) {
  if (!subjectIds.length) return [];
  return db
    .select({ ...photoColumns(fieldPhotos), subjectId: fieldPhotos.subjectId })
    .from(fieldPhotos)
    .innerJoin(users, eq(users.id, fieldPhotos.uploadedBy))
    .where(
      and(
        eq(fieldPhotos.subject, subject),
        inArray(fieldPhotos.subjectId, subjectIds),
        partId === undefined ? undefined : eq(fieldPhotos.partId, partId),
      ),
    )
    .orderBy(asc(fieldPhotos.subjectId), asc(fieldPhotos.createdAt), sql`${fieldPhotos}.rowid`)
    .all();
}

/**
 * Every evidence photo of one enterprise's file that this user may see, as its file page shows the work: tasks and
 * revisits by their scopes, draws for the office and leaders only, patrols by theirs, and of the complaints filed
 * under it the 交办 answers and department records the user's scope admits. The caller has checked the enterprise.
 */
export function evidenceSources(db: Db, user: StaffUser, enterprise: { id: number } & Point): EvidenceSource[] {
  const site: Point = { lat: enterprise.lat, lng: enterprise.lng };
  const out: EvidenceSource[] = [];
  const push = (row: PhotoRow, kind: EvidenceKind, folder: string, evidenceOf: string, more: Partial<EvidenceSource>) =>
    out.push({ ...row, kind, folder, evidenceOf, documentNumber: null, site, ...more });

  const taskRows = db
    .select({
      ...photoColumns(taskEvidence),
      taskId: tasks.id,
      type: tasks.type,
      seq: taskItems.seq,
      line: taskItems.label,
    })
    .from(taskEvidence)
    .innerJoin(tasks, eq(tasks.id, taskEvidence.taskId))
    .innerJoin(taskItems, eq(taskItems.id, taskEvidence.itemId))
    .innerJoin(users, eq(users.id, taskEvidence.uploadedBy))
    .where(and(eq(tasks.enterpriseId, enterprise.id), taskScope(user)))
    .orderBy(asc(tasks.id), asc(taskItems.seq), asc(taskEvidence.createdAt), sql`${taskEvidence}.rowid`)
    .all();
  for (const { taskId, type, seq, line, ...row } of taskRows)
    push(
      row,
      'task',
      `task-${taskId}-line-${seq}`,
      `任务 #${taskId}（${REMEDIATION_LABELS[type]}）第 ${seq} 项：${line}`,
      {},
    );

  const visits = db
    .select({ id: revisits.id, dueAt: revisits.dueAt, outcome: revisits.outcome })
    .from(revisits)
    .where(and(eq(revisits.enterpriseId, enterprise.id), revisitScope(user)))
    .all();
  const visitOf = new Map(visits.map((v) => [v.id, v]));
  for (const { subjectId, ...row } of fieldPhotosOf(db, 'revisit', [...visitOf.keys()])) {
    const v = visitOf.get(subjectId)!;
    const outcome = v.outcome ? `，结果：${REVISIT_OUTCOME_LABELS[v.outcome]}` : '';
    push(row, 'revisit', `revisit-${v.id}`, `回头看 #${v.id}（${beijingDate(v.dueAt)} 到期${outcome}）`, {});
  }

  // Draws are the office's: a department or village must not learn of a surprise inspection (as on the file page).
  if (hasRole(user, OFFICE_READ)) {
    const draws = db
      .select({ id: inspectionDraws.id, title: inspectionDraws.title, outcome: inspectionDrawItems.outcome })
      .from(inspectionDrawItems)
      .innerJoin(inspectionDraws, eq(inspectionDraws.id, inspectionDrawItems.drawId))
      .where(and(eq(inspectionDrawItems.enterpriseId, enterprise.id), drawScope(user)))
      .all();
    const drawOf = new Map(draws.map((d) => [d.id, d]));
    for (const { subjectId, ...row } of fieldPhotosOf(db, 'draw_item', [...drawOf.keys()], enterprise.id)) {
      const d = drawOf.get(subjectId)!;
      const outcome = d.outcome ? `，结果：${INSPECTION_OUTCOME_LABELS[d.outcome]}` : '';
      push(row, 'draw', `draw-${d.id}`, `双随机抽查 #${d.id}「${d.title}」${outcome}`, {});
    }
  }

  const findings = db
    .select({ id: patrolFindings.id, patrolId: nightPatrols.id, startedAt: nightPatrols.startedAt })
    .from(patrolFindings)
    .innerJoin(nightPatrols, eq(nightPatrols.id, patrolFindings.patrolId))
    .where(and(eq(patrolFindings.enterpriseId, enterprise.id), patrolScope(user)))
    .all();
  const findingOf = new Map(findings.map((f) => [f.id, f]));
  for (const { subjectId, ...row } of fieldPhotosOf(db, 'patrol_finding', [...findingOf.keys()])) {
    const f = findingOf.get(subjectId)!;
    const when = beijingDate(f.startedAt);
    push(row, 'patrol', `patrol-${f.patrolId}-finding-${f.id}`, `夜查 #${f.patrolId}（${when}）发现 #${f.id}`, {});
  }

  // The complaints filed under it: only their numbers and reported points, never the reporter or the words.
  const items = db
    .select({
      id: assignments.id,
      complaintId: assignments.complaintId,
      departmentId: assignments.departmentId,
      department: departments.name,
      outcome: assignments.outcome,
      lat: complaints.lat,
      lng: complaints.lng,
    })
    .from(enterpriseComplaints)
    .innerJoin(complaints, eq(complaints.id, enterpriseComplaints.complaintId))
    .innerJoin(assignments, eq(assignments.complaintId, complaints.id))
    .leftJoin(departments, eq(departments.id, assignments.departmentId))
    .where(and(eq(enterpriseComplaints.enterpriseId, enterprise.id), complaintScope(user), assignmentScope(user)))
    .orderBy(asc(assignments.complaintId), asc(assignments.id))
    .all();
  const itemOf = new Map(items.map((i) => [i.id, i]));
  const by = (i: (typeof items)[number]) => i.department ?? '村（社区）';
  for (const { subjectId, ...row } of fieldPhotosOf(db, 'assignment', [...itemOf.keys()])) {
    const i = itemOf.get(subjectId)!;
    const outcome = i.outcome ? `，核查结果：${outcomeName(i.outcome, i.departmentId != null)}` : '';
    push(
      row,
      'assignment',
      `complaint-${i.complaintId}-assignment-${i.id}`,
      `举报 #${i.complaintId} 交办反馈（${by(i)}${outcome}）`,
      { site: { lat: i.lat, lng: i.lng } },
    );
  }
  const records = itemOf.size
    ? db
        .select({
          id: departmentActions.id,
          assignmentId: departmentActions.assignmentId,
          kind: departmentActions.kind,
          documentNumber: departmentActions.documentNumber,
          actedOn: departmentActions.actedOn,
        })
        .from(departmentActions)
        .where(inArray(departmentActions.assignmentId, [...itemOf.keys()]))
        .all()
    : [];
  const recordOf = new Map(records.map((r) => [r.id, r]));
  for (const { subjectId, ...row } of fieldPhotosOf(db, 'department_action', [...recordOf.keys()])) {
    const r = recordOf.get(subjectId)!;
    const i = itemOf.get(r.assignmentId)!;
    push(
      row,
      'department_action',
      `complaint-${i.complaintId}-department-action-${r.id}`,
      `举报 #${i.complaintId} ${by(i)}${DEPARTMENT_ACTION_NAMES[r.kind]}（文号 ${r.documentNumber}，${r.actedOn}）`,
      { documentNumber: r.documentNumber, site: { lat: i.lat, lng: i.lng } },
    );
  }
  return out;
}
