import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { departments, townships, users, villages } from '../../../db/schema.ts';
import {
  ENTERPRISE_STATUSES,
  enterprises,
  inspectionDrawItems,
  inspectionDraws,
  INSPECTION_OUTCOMES,
  REMEDIATION_TYPES,
} from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { blankOr } from '../shared/blank-field.ts';
import { ENTERPRISE_STATUS_LABELS, REMEDIATION_LABELS } from './labels.ts';
import { registerConditions } from './enterprises.ts';
import { fail, type Result } from '../shared/result.ts';
import { actsIn } from '../shared/township-links.ts';
import { type AtLevel, townshipCondition } from '../shared/township-scope.ts';
import { answeredBefore, type FieldSubmission, submitted } from '../shared/field-submission.ts';
import { phonePosition } from '../shared/photos/phone-position.ts';
import {
  type EvidenceDeps,
  type EvidenceFile,
  fieldPhotoFile,
  hasFieldPhotos,
  insertFieldPhotos,
  withEvidence,
  withoutEvidence,
} from '../shared/photos/evidence.ts';
import { DEFAULT_EVIDENCE_RULES, type EvidenceRules, fieldPhotoViews, photoKey } from '../shared/photos/views.ts';
import { drawKey, randomSeed, runDraw, sortedIds } from './random-draw.ts';
import { decimal, freeText, optionalRecordId, optionalText, recordId } from '../shared/text-input.ts';

export const drawInput = z.object({
  title: freeText('抽查名称', { min: 2, max: 100, required: '请填写抽查名称', tooShort: '请填写抽查名称' }),
  seed: blankOr(
    z
      .string()
      .trim()
      .regex(/^[A-Za-z0-9_-]{1,64}$/, { error: '随机种子只能由字母、数字、- 和 _ 组成，最多 64 位' }),
  ),
  villageId: optionalRecordId('属地村（社区）'),
  /** A county account's choice: one township's register, or none for a draw across the county. */
  townshipId: optionalRecordId('乡镇（街道）'),
  status: blankOr(z.enum(ENTERPRISE_STATUSES, { error: '整治状态不正确' })),
  remediationType: blankOr(z.enum(REMEDIATION_TYPES, { error: '整治类型不正确' })),
  industry: optionalText('行业类别', { max: 50 }),
  enterpriseCount: decimal('抽取企业数', {
    integer: true,
    min: 1,
    max: 500,
    range: '抽取企业数须在 1 到 500 之间（一次最多抽取 500 家企业）',
  }),
  departmentIds: z
    .array(recordId('执法部门'), { error: '请选择执法部门' })
    .min(1, { error: '请至少选择一个执法部门' })
    .max(20, { error: '执法部门最多 20 个' }),
  inspectorsPerDepartment: decimal('每部门抽取人数', { integer: true, min: 1, max: 10 }).default(1),
});
export type DrawInput = z.output<typeof drawInput>;

export const outcomeInput = z
  .object({
    outcome: z.enum(INSPECTION_OUTCOMES, { error: '检查结果只能是未发现问题、发现问题或未能检查' }),
    note: optionalText('说明', { max: 1000 }),
    ...phonePosition,
  })
  .refine((o) => o.outcome === 'compliant' || !!o.note, { error: '发现问题或未能检查时，请写明情况', path: ['note'] });
export type OutcomeInput = z.output<typeof outcomeInput>;

/** The draws an account sees: its township's, or every one (county-wide ones too) for a county account. */
export const drawScope = (user: AtLevel) => townshipCondition(user, { township: inspectionDraws.townshipId });
const visibleDraw = (user: AtLevel, id: number) => and(eq(inspectionDraws.id, id), drawScope(user));

/**
 * The township a draw draws in: a township office's own; a county account's choice, or null (the whole county, with
 * county departments only). The chosen village and departments must lie in it.
 */
function drawTownship(tx: Tx, user: StaffUser, input: DrawInput): Result<{ townshipId: number | null }> {
  const chosen = user.townshipId ?? input.townshipId ?? null;
  if (input.townshipId && !actsIn(user, input.townshipId)) return fail(403, '乡镇（街道）：只能在本乡镇（街道）抽查');
  if (chosen !== null && !tx.select({ id: townships.id }).from(townships).where(eq(townships.id, chosen)).get())
    return fail(400, '乡镇（街道）不存在');
  if (input.villageId) {
    const v = tx.select({ t: villages.townshipId }).from(villages).where(eq(villages.id, input.villageId)).get();
    if (!v) return fail(400, '属地村（社区）不存在');
    if (chosen !== null && v.t !== chosen) return fail(400, '属地村（社区）不在抽查的乡镇（街道）');
  }
  const foreign = tx
    .select({ name: departments.name, t: departments.townshipId })
    .from(departments)
    .where(inArray(departments.id, input.departmentIds))
    .all()
    .find((d) => d.t !== null && d.t !== chosen);
  if (foreign) return fail(400, `执法部门：${foreign.name}是其他乡镇（街道）的站所，不能参加这次抽查`);
  return { ok: true, townshipId: chosen };
}

/**
 * Draws enterprises from the filtered register of one township (or of the county) and inspectors from the chosen
 * departments, and stores the inputs with the result.
 */
export function createDraw(db: Db, user: StaffUser, input: DrawInput, now: Date): Result<{ id: number; seed: string }> {
  const filters = Object.fromEntries(
    Object.entries({
      villageId: input.villageId,
      status: input.status,
      remediationType: input.remediationType,
      industry: input.industry,
    }).filter(([, v]) => v !== undefined && v !== ''),
  );
  return db.transaction((tx) => {
    const where = drawTownship(tx, user, input);
    if (!where.ok) return where;
    const { townshipId } = where;
    const candidates = sortedIds(
      tx
        .select({ id: enterprises.id })
        .from(enterprises)
        .where(
          and(
            registerConditions(user, {
              villageId: input.villageId,
              status: input.status,
              remediationType: input.remediationType,
              industry: input.industry,
            }),
            townshipId === null ? undefined : eq(enterprises.townshipId, townshipId),
          ),
        )
        .all()
        .map((r) => r.id),
    );
    if (candidates.length === 0) return fail(400, '没有符合条件的企业，请放宽筛选条件');
    if (input.enterpriseCount > candidates.length)
      return fail(400, `符合条件的企业只有 ${candidates.length} 家，不能抽取 ${input.enterpriseCount} 家`);

    const deptIds = sortedIds(input.departmentIds);
    const depts = tx
      .select({ id: departments.id, name: departments.name })
      .from(departments)
      .where(inArray(departments.id, deptIds))
      .all();
    if (depts.length !== deptIds.length) return fail(400, '所选执法部门不存在');
    const officers = tx
      .select({ id: users.id, departmentId: users.departmentId })
      .from(users)
      .where(and(eq(users.role, 'department'), eq(users.disabled, false), inArray(users.departmentId, deptIds)))
      .all();
    const inspectors: Record<string, number[]> = {};
    for (const d of deptIds) {
      inspectors[String(d)] = sortedIds(officers.filter((o) => o.departmentId === d).map((o) => o.id));
      const have = inspectors[String(d)]!.length;
      if (have < input.inspectorsPerDepartment) {
        const name = depts.find((x) => x.id === d)!.name;
        return fail(
          400,
          have === 0
            ? `${name}没有在岗的执法人员账号，不能参加抽取`
            : `${name}只有 ${have} 名在岗执法人员，少于每部门抽取人数 ${input.inspectorsPerDepartment}`,
        );
      }
    }

    const seed = input.seed ?? randomSeed();
    const result = runDraw({
      seed,
      enterpriseIds: candidates,
      enterpriseCount: input.enterpriseCount,
      inspectors,
      inspectorsPerDepartment: input.inspectorsPerDepartment,
    });
    const row = tx
      .insert(inspectionDraws)
      .values({
        // A seed someone typed could have been tried in advance; the record says who chose it.
        title: input.title,
        seed,
        filters: { ...filters, seedChosenBy: input.seed ? 'staff' : 'server' },
        townshipId,
        enterpriseCount: input.enterpriseCount,
        inspectorsPerDepartment: input.inspectorsPerDepartment,
        candidateEnterpriseIds: candidates,
        candidateInspectors: inspectors,
        drawnEnterpriseIds: result.enterpriseIds,
        drawnInspectorIds: result.inspectorIds,
        createdBy: user.id,
        createdAt: now,
      })
      .returning({ id: inspectionDraws.id })
      .get();
    tx.insert(inspectionDrawItems)
      .values(result.enterpriseIds.map((enterpriseId) => ({ drawId: row.id, enterpriseId })))
      .run();
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'inspection_draw.create',
        objectType: 'inspection_draw',
        objectId: row.id,
        details: {
          title: input.title,
          seed,
          filters,
          candidates: candidates.length,
          enterprises: result.enterpriseIds,
          inspectors: result.inspectorIds,
        },
      },
      now,
    );
    return { ok: true, id: row.id, seed };
  });
}

/** Re-runs a stored draw from its stored inputs: a later change to the register cannot move it. */
export function verifyDraw(db: Db, user: AtLevel, id: number) {
  const d = db.select().from(inspectionDraws).where(visibleDraw(user, id)).get();
  if (!d) return null;
  const recomputed = runDraw({
    seed: d.seed,
    enterpriseIds: d.candidateEnterpriseIds,
    enterpriseCount: d.enterpriseCount,
    inspectors: d.candidateInspectors,
    inspectorsPerDepartment: d.inspectorsPerDepartment,
  });
  const same = (a: number[], b: number[]) => a.length === b.length && a.every((x, i) => x === b[i]);
  return {
    matches: same(recomputed.enterpriseIds, d.drawnEnterpriseIds) && same(recomputed.inspectorIds, d.drawnInspectorIds),
    recomputed: { enterpriseIds: recomputed.enterpriseIds, inspectorIds: recomputed.inspectorIds },
    stored: { enterpriseIds: d.drawnEnterpriseIds, inspectorIds: d.drawnInspectorIds },
  };
}

export const PROBLEM_NEEDS_PHOTO = '发现问题时，请拍摄至少一张现场照片';

const itemIs = (drawId: number, enterpriseId: number) =>
  and(eq(inspectionDrawItems.drawId, drawId), eq(inspectionDrawItems.enterpriseId, enterpriseId));

/**
 * Records (or corrects) the outcome of one drawn enterprise with its on-site photos, in one transaction. A problem
 * found needs a photo, this time or an earlier one; photos are kept through corrections.
 */
export async function recordOutcome(
  deps: EvidenceDeps,
  user: StaffUser,
  drawId: number,
  enterpriseId: number,
  input: OutcomeInput,
  photos: Buffer[],
  now: Date,
  fromPhone?: FieldSubmission,
): Promise<Result<{ outcome: string; photos: number }>> {
  const sent = submitted(user, fromPhone, `draw-outcome:${drawId}:${enterpriseId}`, now);
  const before = answeredBefore<{ outcome: string; photos: number }>(deps.db, sent.once);
  if (before) return before;
  const owner = { subject: 'draw_item' as const, subjectId: drawId, partId: enterpriseId };
  if (!deps.db.select({ id: inspectionDraws.id }).from(inspectionDraws).where(visibleDraw(user, drawId)).get())
    return fail(404, '抽查不存在');
  const item = deps.db.select().from(inspectionDrawItems).where(itemIs(drawId, enterpriseId)).get();
  if (!item) return fail(404, '这次抽查没有抽到该企业');
  if (input.outcome === 'problem_found' && !photos.length && !hasFieldPhotos(deps.db, owner))
    return fail(400, PROBLEM_NEEDS_PHOTO);
  const save = (tx: Tx, files: EvidenceFile[]) => {
    const previous = tx.select().from(inspectionDrawItems).where(itemIs(drawId, enterpriseId)).get()!;
    tx.update(inspectionDrawItems)
      .set({ outcome: input.outcome, note: input.note || null, recordedAt: now, recordedBy: user.id })
      .where(itemIs(drawId, enterpriseId))
      .run();
    insertFieldPhotos(tx, owner, user.id, files);
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'inspection_draw.outcome',
        objectType: 'inspection_draw',
        objectId: drawId,
        details: {
          enterpriseId,
          outcome: input.outcome,
          previous: previous.outcome,
          note: input.note ?? null,
          photos: files.length,
        },
      },
      now,
    );
    return { ok: true as const, outcome: input.outcome, photos: files.length };
  };
  return photos.length ? withEvidence(deps, photos, input, save, sent) : withoutEvidence(deps.db, save, sent);
}

/** A stored photo of one drawn enterprise's outcome (draws are the office's and leaders': the policy checks). */
export function drawPhotoFile(
  db: Db,
  user: AtLevel,
  drawId: number,
  enterpriseId: number,
  photoId: string,
  size: 'display' | 'thumb',
) {
  if (!db.select({ id: inspectionDraws.id }).from(inspectionDraws).where(visibleDraw(user, drawId)).get()) return null;
  return fieldPhotoFile(db, { subject: 'draw_item', subjectId: drawId, partId: enterpriseId }, photoId, size);
}

/** The draws an account sees, newest first, with how many outcomes are recorded. */
export function listDraws(db: Db, user: AtLevel, limit = 200) {
  return db
    .select({
      id: inspectionDraws.id,
      title: inspectionDraws.title,
      townshipName: sql<string>`coalesce(${townships.name}, '全县')`,
      seed: inspectionDraws.seed,
      filters: inspectionDraws.filters,
      enterpriseCount: inspectionDraws.enterpriseCount,
      inspectorsPerDepartment: inspectionDraws.inspectorsPerDepartment,
      createdAt: inspectionDraws.createdAt,
      createdBy: users.displayName,
      recorded: sql<number>`(select count(*) from inspection_draw_items i where i.draw_id = ${inspectionDraws.id} and
        i.outcome is not null)`,
      problems: sql<number>`(select count(*) from inspection_draw_items i where i.draw_id = ${inspectionDraws.id} and
        i.outcome = 'problem_found')`,
    })
    .from(inspectionDraws)
    .leftJoin(users, eq(users.id, inspectionDraws.createdBy))
    .leftJoin(townships, eq(townships.id, inspectionDraws.townshipId))
    .where(drawScope(user))
    .orderBy(desc(inspectionDraws.id))
    .limit(limit)
    .all();
}

/** One draw: its inputs, the drawn enterprises (rank order, with their keys and outcomes) and inspectors. */
export function getDraw(
  db: Db,
  user: Pick<StaffUser, 'role' | 'townshipId'>,
  id: number,
  rules: EvidenceRules = DEFAULT_EVIDENCE_RULES,
) {
  const draw = db.select().from(inspectionDraws).where(visibleDraw(user, id)).get();
  if (!draw) return null;
  const creator =
    db.select({ name: users.displayName }).from(users).where(eq(users.id, draw.createdBy)).get()?.name ?? '';
  const rows = db
    .select({
      enterpriseId: inspectionDrawItems.enterpriseId,
      outcome: inspectionDrawItems.outcome,
      note: inspectionDrawItems.note,
      recordedAt: inspectionDrawItems.recordedAt,
      recordedBy: users.displayName,
      name: enterprises.name,
      townshipName: townships.name,
      villageName: villages.name,
      address: enterprises.address,
      status: enterprises.status,
      siteLat: enterprises.lat,
      siteLng: enterprises.lng,
    })
    .from(inspectionDrawItems)
    .innerJoin(enterprises, eq(enterprises.id, inspectionDrawItems.enterpriseId))
    .innerJoin(villages, eq(villages.id, enterprises.villageId))
    .innerJoin(townships, eq(townships.id, enterprises.townshipId))
    .leftJoin(users, eq(users.id, inspectionDrawItems.recordedBy))
    .where(eq(inspectionDrawItems.drawId, id))
    .all();
  const photos = fieldPhotoViews(
    db,
    user,
    'draw_item',
    [id],
    (_, eid) => {
      const r = rows.find((x) => x.enterpriseId === eid);
      return r && { lat: r.siteLat, lng: r.siteLng };
    },
    rules,
  );
  const items = draw.drawnEnterpriseIds.map((eid) => {
    const { siteLat: _lat, siteLng: _lng, ...row } = rows.find((r) => r.enterpriseId === eid)!;
    return { ...row, key: drawKey(draw.seed, 'e', eid), photos: photos.get(photoKey(id, eid)) ?? [] };
  });
  const people = draw.drawnInspectorIds.length
    ? db
        .select({ id: users.id, name: users.displayName })
        .from(users)
        .where(inArray(users.id, draw.drawnInspectorIds))
        .all()
    : [];
  const deptNames = db
    .select({ id: departments.id, name: departments.name })
    .from(departments)
    .orderBy(asc(departments.sort))
    .all();
  const inspectors = draw.drawnInspectorIds.map((uid) => {
    const dept = Object.keys(draw.candidateInspectors).find((d) => draw.candidateInspectors[d]!.includes(uid));
    return {
      id: uid,
      name: people.find((p) => p.id === uid)?.name ?? `#${uid}`,
      departmentId: Number(dept),
      department: deptNames.find((d) => String(d.id) === dept)?.name ?? '',
      key: drawKey(draw.seed, 'u', uid),
    };
  });
  return { draw, creator, items, inspectors };
}

/** Active department officers per department: who a draw can pick from. */
export function inspectorCounts(db: Db): Map<number, number> {
  const rows = db
    .select({ departmentId: users.departmentId, n: sql<number>`count(*)` })
    .from(users)
    .where(and(eq(users.role, 'department'), eq(users.disabled, false)))
    .groupBy(users.departmentId)
    .all();
  return new Map(rows.filter((r) => r.departmentId != null).map((r) => [r.departmentId!, r.n]));
}

/** A draw's filters in words, for the record pages. */
export function describeFilters(
  filters: Record<string, unknown>,
  villageNames: { id: number; name: string }[],
): string {
  const parts: string[] = [];
  if (filters.villageId)
    parts.push(villageNames.find((v) => v.id === filters.villageId)?.name ?? `村 #${filters.villageId}`);
  if (filters.status)
    parts.push(
      ENTERPRISE_STATUS_LABELS[filters.status as keyof typeof ENTERPRISE_STATUS_LABELS] ?? String(filters.status),
    );
  if (filters.remediationType)
    parts.push(
      REMEDIATION_LABELS[filters.remediationType as keyof typeof REMEDIATION_LABELS] ?? String(filters.remediationType),
    );
  if (filters.industry) parts.push(`行业含“${filters.industry}”`);
  return parts.length ? parts.join('，') : '全部企业';
}
