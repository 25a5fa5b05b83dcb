import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { townships, users, villages } from '../../../db/schema.ts';
import {
  enterprises,
  INSPECTION_AREAS,
  REVISIT_OUTCOMES,
  revisits,
  taskItems,
  tasks,
  type InspectionArea,
  type RemediationType,
} from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { OUTCOME_TYPE, REVISIT_OUTCOME_LABELS } from './labels.ts';
import { enterpriseScope, revisitScope, taskScope } from './scope.ts';
import { enterpriseInput, unlicensedNameProblem } from './enterprise-input.ts';
import { insertEnterprise, setEnterpriseStatus } from './enterprises.ts';
import { fail, type Result } from '../shared/result.ts';
import { answeredBefore, type FieldSubmission, submitted } from '../shared/field-submission.ts';
import { phonePosition } from '../shared/photos/phone-position.ts';
import {
  type EvidenceDeps,
  type EvidenceFile,
  fieldPhotoFile,
  insertFieldPhotos,
  withEvidence,
  withoutEvidence,
} from '../shared/photos/evidence.ts';
import { FIELD, hasRole } from '../shared/roles.ts';
import { DEFAULT_EVIDENCE_RULES, type EvidenceRules, fieldPhotoViews, photoKey } from '../shared/photos/views.ts';
import type { Limits } from '../complaints/actions.ts';
import { OTHER_VILLAGE_ENTERPRISE } from './task-queries.ts';
import { createTask } from './tasks.ts';
import { freeText, optionalText } from '../shared/text-input.ts';
import { beijingDate, DAY_MS } from '../shared/time.ts';
import type { VillageArea } from '../shared/village-routing.ts';

export const revisitInput = z
  .object({
    outcome: z.enum(REVISIT_OUTCOMES, { error: '请选择回头看结果' }),
    note: freeText('现场情况', {
      min: 2,
      max: 1000,
      required: '请写明现场情况',
      tooShort: '请写明现场情况（至少 2 个字）',
    }),
    /** A new workshop found in the vacated premises, or never listed, gets its own file. */
    newEnterpriseName: optionalText('新作坊名称', { max: 100 }),
    newPersonInCharge: optionalText('新作坊负责人', { max: 50 }),
    ...phonePosition,
  })
  .superRefine((r, ctx) => {
    if ((r.outcome === 'new_in_vacated' || r.outcome === 'newly_found') && !r.newEnterpriseName) {
      ctx.addIssue({
        code: 'custom',
        path: ['newEnterpriseName'],
        message: '发现新的作坊时，请填写它的名称（负责人姓名+经营内容+作坊）',
      });
    }
  });
export type RevisitInput = z.infer<typeof revisitInput>;

export interface RevisitConfig extends Limits {
  followUpDays: number;
  areas: VillageArea[];
}

export function listRevisits(
  db: Db,
  user: StaffUser,
  status: 'scheduled' | 'done',
  now: Date,
  rules: EvidenceRules = DEFAULT_EVIDENCE_RULES,
) {
  // A done revisit stays with its village when the file moves on, as may its follow-up task: each named only if this
  // user may open it.
  const fileOpen = enterpriseScope(user) ?? sql`1`;
  const taskOpen = taskScope(user) ?? sql`1`;
  const rows = db
    .select({
      id: revisits.id,
      dueAt: revisits.dueAt,
      status: revisits.status,
      outcome: revisits.outcome,
      note: revisits.note,
      doneAt: revisits.doneAt,
      followUpTaskId: sql<
        number | null
      >`(select ${tasks.id} from ${tasks} where ${tasks.id} = ${revisits.followUpTaskId} and ${taskOpen})`,
      enterpriseId: sql<number | null>`case when ${fileOpen} then ${enterprises.id} end`,
      enterpriseName: sql<string>`case when ${fileOpen} then ${enterprises.name} else ${OTHER_VILLAGE_ENTERPRISE} end`,
      address: sql<string | null>`case when ${fileOpen} then ${enterprises.address} end`,
      villageName: villages.name,
      // A county account's list spans townships: each row says whose it is.
      townshipName: townships.name,
      doneBy: users.displayName,
      // Only to say how far from the enterprise each photo was taken; never sent as such.
      siteLat: enterprises.lat,
      siteLng: enterprises.lng,
    })
    .from(revisits)
    .innerJoin(enterprises, eq(enterprises.id, revisits.enterpriseId))
    .innerJoin(villages, eq(villages.id, revisits.villageId))
    .innerJoin(townships, eq(townships.id, villages.townshipId))
    .leftJoin(users, eq(users.id, revisits.doneBy))
    .where(and(revisitScope(user), eq(revisits.status, status)))
    .orderBy(status === 'scheduled' ? asc(revisits.dueAt) : desc(revisits.doneAt))
    .limit(500)
    .all();
  const sites = new Map(rows.map((r) => [r.id, { lat: r.siteLat, lng: r.siteLng }]));
  const photos =
    status === 'done'
      ? fieldPhotoViews(
          db,
          user,
          'revisit',
          rows.map((r) => r.id),
          (id) => sites.get(id),
          rules,
        )
      : new Map();
  return rows.map(({ siteLat: _lat, siteLng: _lng, ...r }) => ({
    ...r,
    overdue: r.status === 'scheduled' && r.dueAt < now,
    photos: photos.get(photoKey(r.id)) ?? [],
  }));
}

/** The follow-up work a finding calls for: resumed production is shut again; a relapse is rectified again. */
function followUpType(
  outcome: Exclude<RevisitInput['outcome'], 'fine'>,
  previous: RemediationType | null,
): RemediationType {
  if (outcome === 'relapsed') return previous === 'relocate' ? 'relocate' : 'rectify';
  return 'shutdown';
}

export const FINDING_NEEDS_PHOTO = '回头看发现问题时，请拍摄至少一张现场照片';

type Recorded = { followUpTaskId: number | null; enterpriseId: number; photos: number };

/** The revisit, if this user may record it now: else why not. */
function openRevisit(db: Db | Tx, user: StaffUser, id: number) {
  const visit = db
    .select()
    .from(revisits)
    .where(and(eq(revisits.id, id), revisitScope(user)))
    .get();
  if (!visit) return fail(404, '回头看记录不存在或无权查看');
  if (visit.status !== 'scheduled') return fail(409, '这次回头看已经记录过了');
  return { ok: true as const, visit };
}

/**
 * Records a revisit with its on-site photos (required for a finding), in one transaction. Any finding puts the
 * enterprise back on the dynamic list with a new task.
 */
export async function recordRevisit(
  deps: EvidenceDeps,
  user: StaffUser,
  id: number,
  input: RevisitInput,
  photos: Buffer[],
  cfg: RevisitConfig,
  now: Date,
  fromPhone?: FieldSubmission,
): Promise<Result<Recorded>> {
  const sent = submitted(user, fromPhone, `revisit:${id}`, now);
  const before = answeredBefore<Recorded>(deps.db, sent.once);
  if (before) return before;
  // Refused before any photo is processed.
  const open = openRevisit(deps.db, user, id);
  if (!open.ok) return open;
  if (!hasRole(user, FIELD)) return fail(403, '只有整治办和属地村（社区）可以记录回头看');
  if (input.outcome === 'new_in_vacated' || input.outcome === 'newly_found') {
    const problem = unlicensedNameProblem(input.newEnterpriseName!, input.newPersonInCharge ?? '');
    if (problem) return fail(400, problem);
  }
  if (input.outcome !== 'fine' && photos.length === 0) return fail(400, FINDING_NEEDS_PHOTO);
  const save = (tx: Tx, files: EvidenceFile[]) => saveRevisit(tx, user, id, input, files, cfg, now);
  return photos.length ? withEvidence(deps, photos, input, save, sent) : withoutEvidence(deps.db, save, sent);
}

function saveRevisit(
  tx: Tx,
  user: StaffUser,
  id: number,
  input: RevisitInput,
  files: EvidenceFile[],
  cfg: RevisitConfig,
  now: Date,
): Result<Recorded> {
  // Again inside the transaction: another officer may have recorded it while the photos were processed.
  const open = openRevisit(tx, user, id);
  if (!open.ok) return open;
  const { visit } = open;
  const ent = tx.select().from(enterprises).where(eq(enterprises.id, visit.enterpriseId)).get()!;
  const previous = visit.taskId ? tx.select().from(tasks).where(eq(tasks.id, visit.taskId)).get() : undefined;
  let followUpTaskId: number | null = null;
  let targetId = ent.id;
  if (input.outcome !== 'fine') {
    const type = OUTCOME_TYPE[input.outcome];
    if (input.outcome === 'new_in_vacated' || input.outcome === 'newly_found') {
      const person = input.newPersonInCharge ?? '';
      const fields = enterpriseInput.safeParse({
        name: input.newEnterpriseName,
        personInCharge: person,
        villageId: ent.villageId,
        address: ent.address,
        lat: ent.lat,
        lng: ent.lng,
        revisitType: type,
        progressNote: input.note,
      });
      if (!fields.success) return fail(400, fields.error.issues[0]?.message ?? '新作坊的信息不完整');
      const created = insertEnterprise(tx, user, fields.data, cfg.areas, now, 'revisit');
      if (!created.ok) return created;
      targetId = created.id;
    } else {
      const active = tx
        .select({ id: tasks.id })
        .from(tasks)
        .where(and(eq(tasks.enterpriseId, ent.id), inArray(tasks.status, ['open', 'submitted'])))
        .get();
      setEnterpriseStatus(tx, ent.id, active ? 'in_progress' : 'listed', now, { revisitType: type });
      // Work already under way answers this finding too; the finding is recorded against it.
      if (active) followUpTaskId = active.id;
    }
    const kind = followUpType(input.outcome, previous?.type ?? ent.remediationType);
    const areas = kind === 'rectify' ? rectifyAreas(tx, previous?.id, ent.problems) : [];
    const task = followUpTaskId
      ? { ok: true as const, id: followUpTaskId }
      : createTask(
          tx,
          user,
          {
            enterpriseId: targetId,
            type: kind,
            departmentIds: [],
            villageLead: previous?.villageLead ?? ent.responsible ?? user.displayName,
            townshipLead: previous?.townshipLead ?? '待定',
            departmentLead: '',
            dueOn: beijingDate(new Date(now.getTime() + cfg.followUpDays * DAY_MS)),
            measures: `回头看发现：${REVISIT_OUTCOME_LABELS[input.outcome]}。${input.note}`,
            optionalItems: [],
            areas,
            complaintIds: [],
          },
          cfg,
          now,
          'revisit',
        );
    if (!task.ok) return task;
    followUpTaskId = task.id;
  }
  tx.update(revisits)
    .set({ status: 'done', outcome: input.outcome, note: input.note, doneAt: now, doneBy: user.id, followUpTaskId })
    .where(eq(revisits.id, id))
    .run();
  insertFieldPhotos(tx, { subject: 'revisit', subjectId: id }, user.id, files);
  audit(
    tx,
    { id: user.id, label: user.displayName },
    {
      action: 'revisit.record',
      objectType: 'revisit',
      objectId: id,
      details: { outcome: input.outcome, enterpriseId: targetId, followUpTaskId, photos: files.length },
    },
    now,
  );
  return { ok: true, followUpTaskId, enterpriseId: targetId, photos: files.length };
}

/** A stored photo of a revisit this user may see (the same scope as the revisit), else null. */
export function revisitPhotoFile(db: Db, user: StaffUser, id: number, photoId: string, size: 'display' | 'thumb') {
  const visible = db
    .select({ id: revisits.id })
    .from(revisits)
    .where(and(eq(revisits.id, id), revisitScope(user)))
    .get();
  return visible ? fieldPhotoFile(db, { subject: 'revisit', subjectId: id }, photoId, size) : null;
}

const isArea = (c: string): c is InspectionArea => (INSPECTION_AREAS as readonly string[]).includes(c);

/** A relapse is rectified again in the areas the last rectification covered, else where problems were recorded. */
function rectifyAreas(
  tx: Pick<Db, 'select'>,
  taskId: number | undefined,
  problems: Record<string, string>,
): InspectionArea[] {
  const fromTask = taskId
    ? tx
        .select({ code: taskItems.code })
        .from(taskItems)
        .where(eq(taskItems.taskId, taskId))
        .all()
        .map((i) => i.code)
        .filter(isArea)
    : [];
  const areas = fromTask.length ? fromTask : Object.keys(problems).filter(isArea);
  return areas.length ? areas : ['site'];
}
