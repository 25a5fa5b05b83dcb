import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { complaints, users, villages } from '../../../db/schema.ts';
import { enterprises, nightPatrols, patrolFindings } from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffScope, StaffUser } from '../accounts/sessions.ts';
import { complaintScope, visibleComplaint } from '../complaints/scope.ts';
import { OPEN_STATUSES } from '../complaints/workflow.ts';
import { enterpriseScope, visibleEnterprise } from './scope.ts';
import { fail, type Result } from '../shared/result.ts';
import { actsIn, workingTownship } from '../shared/township-links.ts';
import { townshipCondition } from '../shared/township-scope.ts';
import { answeredBefore, type FieldSubmission, submitted } from '../shared/field-submission.ts';
import { phonePosition } from '../shared/photos/phone-position.ts';
import { FIELD, hasRole, PATROL_READ } from '../shared/roles.ts';
import {
  type EvidenceDeps,
  type EvidenceFile,
  fieldPhotoFile,
  insertFieldPhotos,
  withEvidence,
  withoutEvidence,
} from '../shared/photos/evidence.ts';
import { freeText, optionalRecordId, recordId, textOrEmpty } from '../shared/text-input.ts';
import {
  DEFAULT_EVIDENCE_RULES,
  type EvidenceRules,
  type FieldPhotoView,
  fieldPhotoViews,
  photoKey,
} from '../shared/photos/views.ts';
import { insertParticipants, participantIds, participantsOf, participantsProblem } from './patrol-participants.ts';
import { DAY_MS, isCalendarDate, startOfBeijingDay } from '../shared/time.ts';

type Who = StaffScope;

const MOMENT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d{1,3})?)?(Z|[+-]\d{2}:\d{2})?$/;
/** An ISO time, or a datetime-local value ("2026-05-01T21:30"), which is Beijing time. */
const moment = (label: string) =>
  z
    .string({ error: `请填写${label}` })
    .trim()
    .transform((v, ctx) => {
      const d = MOMENT.test(v) ? new Date(/[zZ]|[+-]\d\d:\d\d$/.test(v) ? v : `${v}+08:00`) : new Date(NaN);
      if (Number.isNaN(d.getTime())) {
        ctx.addIssue({ code: 'custom', message: `${label}格式不正确` });
        return z.NEVER;
      }
      return d;
    });

const finding = z.object({
  enterpriseId: optionalRecordId('关联企业'),
  complaintId: optionalRecordId('关联举报'),
  note: freeText('发现的情况', { min: 1, max: 1000, required: '请写明发现的情况', tooLong: '每条发现最多 1000 个字' }),
});

export const MAX_FINDINGS = 50;

/** A night patrol as the form sends it; `now` bounds the times (nothing in the future). */
export const patrolInput = (now: () => Date) =>
  z
    .object({
      startedAt: moment('开始时间'),
      endedAt: moment('结束时间'),
      area: freeText('巡查区域', { min: 2, max: 200, required: '请填写巡查区域', tooShort: '请填写巡查区域' }),
      villageId: optionalRecordId('村（社区）'),
      /** A county account's patrol of one township without a village named; none: across the county. */
      townshipId: optionalRecordId('乡镇（街道）'),
      participantIds,
      summary: textOrEmpty('情况小结', 2000),
      findings: z
        .array(finding)
        .max(MAX_FINDINGS, { error: `一次最多记录 ${MAX_FINDINGS} 条发现` })
        .default([]),
      ...phonePosition,
    })
    .superRefine((p, ctx) => {
      const t = now().getTime();
      if (p.endedAt.getTime() <= p.startedAt.getTime())
        ctx.addIssue({ code: 'custom', path: ['endedAt'], message: '结束时间应晚于开始时间' });
      else if (p.endedAt.getTime() - p.startedAt.getTime() > DAY_MS)
        ctx.addIssue({ code: 'custom', path: ['endedAt'], message: '一次夜查不能超过 24 小时' });
      if (p.endedAt.getTime() > t + 10 * 60_000)
        ctx.addIssue({ code: 'custom', path: ['endedAt'], message: '夜查时间不能晚于现在' });
    });
export type PatrolInput = z.output<ReturnType<typeof patrolInput>>;

/**
 * A village officer sees his village's patrols only; a township's office and leaders their township's; the county's
 * all; nobody else any.
 */
export function patrolScope(user: Who): SQL | undefined {
  if (!hasRole(user, PATROL_READ)) return sql`0`;
  if (user.role === 'village') return eq(nightPatrols.villageId, user.villageId ?? -1);
  return townshipCondition(user, { township: nightPatrols.townshipId });
}

/**
 * The township a patrol is recorded in: its village's; else a township account's own, or the county account's
 * choice (none: a county-wide patrol). Refused when the account may not work there.
 */
function patrolTownship(db: Db | Tx, user: StaffUser, input: PatrolInput, villageId: number | null) {
  if (villageId) {
    const v = db.select({ t: villages.townshipId }).from(villages).where(eq(villages.id, villageId)).get();
    if (!v) return fail(400, '村（社区）不存在');
    if (!actsIn(user, v.t)) return fail(400, '村（社区）不在本乡镇（街道）');
    if (input.townshipId && input.townshipId !== v.t) return fail(400, '村（社区）不在所选的乡镇（街道）');
    return { ok: true as const, townshipId: v.t };
  }
  if (user.townshipId != null || !input.townshipId) return { ok: true as const, townshipId: user.townshipId };
  const chosen = workingTownship(db, user, input.townshipId);
  return chosen.ok ? { ok: true as const, townshipId: chosen.townshipId as number | null } : chosen;
}

/** Why this patrol cannot be saved (its village, participants and links), checked before and inside the save. */
function patrolProblem(
  db: Db | Tx,
  user: StaffUser,
  input: PatrolInput,
  villageId: number | null,
  township: number | null,
) {
  const people = participantsProblem(db, input.participantIds, villageId, township);
  if (people) return people;
  for (const [i, f] of input.findings.entries()) {
    const n = `第 ${i + 1} 条发现：`;
    if (f.enterpriseId) {
      const e = db
        .select({ villageId: enterprises.villageId, townshipId: enterprises.townshipId })
        .from(enterprises)
        .where(visibleEnterprise(user, f.enterpriseId))
        .get();
      if (!e) return fail(400, `${n}关联的企业不存在或无权查看`);
      if (township !== null && e.townshipId !== township) return fail(400, `${n}关联的企业不在本次夜查的乡镇（街道）`);
      if (villageId && e.villageId !== villageId) return fail(400, `${n}关联的企业不在本次夜查的村（社区）`);
    }
    if (f.complaintId) {
      const c = db
        .select({ villageId: complaints.villageId, status: complaints.status, townshipId: complaints.townshipId })
        .from(complaints)
        .where(visibleComplaint(user, f.complaintId))
        .get();
      if (!c) return fail(400, `${n}关联的举报不存在或无权查看`);
      if (township !== null && c.townshipId !== township) return fail(400, `${n}关联的举报不在本次夜查的乡镇（街道）`);
      if (!OPEN_STATUSES.includes(c.status)) return fail(400, `${n}只能关联尚未办结的举报（待受理、已受理、已交办）`);
      if (villageId && c.villageId !== villageId) return fail(400, `${n}关联的举报不在本次夜查的村（社区）`);
    }
  }
  return null;
}

/**
 * Records a night patrol with its participants' accounts and its findings, each finding with its photos
 * (`photos[i]` for `input.findings[i]`), in one transaction.
 */
export async function createPatrol(
  deps: EvidenceDeps,
  user: StaffUser,
  input: PatrolInput,
  photos: Buffer[][],
  now: Date,
  fromPhone?: FieldSubmission,
): Promise<Result<{ id: number }>> {
  const sent = submitted(user, fromPhone, 'patrol', now);
  const before = answeredBefore<{ id: number }>(deps.db, sent.once);
  if (before) return before;
  if (!hasRole(user, FIELD)) return fail(400, '只有整治办和村（社区）可以登记夜查');
  // A village officer's patrol is his village's, whatever the form says.
  const villageId = user.role === 'village' ? user.villageId : (input.villageId ?? null);
  if (user.role === 'village' && !villageId) return fail(400, '账号未绑定村（社区）');
  if (photos.length > input.findings.length) return fail(400, `第 ${photos.length} 条发现的照片没有对应的发现`);
  // Refused before any photo is processed.
  const where = patrolTownship(deps.db, user, input, villageId);
  if (!where.ok) return where;
  const township = where.townshipId;
  const refused = patrolProblem(deps.db, user, input, villageId, township);
  if (refused) return refused;
  const save = (tx: Tx, files: EvidenceFile[]): Result<{ id: number }> => {
    const again = patrolProblem(tx, user, input, villageId, township);
    if (again) return again;
    const row = tx
      .insert(nightPatrols)
      .values({
        startedAt: input.startedAt,
        endedAt: input.endedAt,
        area: input.area,
        villageId,
        townshipId: township,
        // Free-text names are the old rows'; participants are accounts now.
        participants: [],
        summary: input.summary,
        createdBy: user.id,
        createdAt: now,
      })
      .returning({ id: nightPatrols.id })
      .get();
    insertParticipants(tx, row.id, input.participantIds);
    let taken = 0;
    for (const [i, f] of input.findings.entries()) {
      const finding = tx
        .insert(patrolFindings)
        .values({
          patrolId: row.id,
          enterpriseId: f.enterpriseId ?? null,
          complaintId: f.complaintId ?? null,
          note: f.note,
        })
        .returning({ id: patrolFindings.id })
        .get();
      const mine = files.slice(taken, taken + (photos[i]?.length ?? 0));
      taken += mine.length;
      insertFieldPhotos(tx, { subject: 'patrol_finding', subjectId: finding.id }, user.id, mine);
    }
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'patrol.create',
        objectType: 'night_patrol',
        objectId: row.id,
        details: {
          villageId,
          townshipId: township,
          participants: input.participantIds,
          findings: input.findings.length,
          photos: files.length,
        },
      },
      now,
    );
    return { ok: true, id: row.id };
  };
  const all = photos.flat();
  return all.length ? withEvidence(deps, all, input, save, sent) : withoutEvidence(deps.db, save, sent);
}

export const patrolQuery = z.object({
  villageId: recordId('村（社区）').optional().catch(undefined),
  from: z.string().refine(isCalendarDate).optional().catch(undefined),
  to: z.string().refine(isCalendarDate).optional().catch(undefined),
});
export type PatrolQuery = z.output<typeof patrolQuery>;

const PATROL_COLUMNS = {
  id: nightPatrols.id,
  startedAt: nightPatrols.startedAt,
  endedAt: nightPatrols.endedAt,
  area: nightPatrols.area,
  villageId: nightPatrols.villageId,
  villageName: villages.name,
  townshipId: nightPatrols.townshipId,
  participants: nightPatrols.participants,
  summary: nightPatrols.summary,
  createdBy: users.displayName,
  createdAt: nightPatrols.createdAt,
};

/**
 * Who took part: the accounts, or on a row from before accounts were required, the names typed then. `participantIds`
 * is empty on such a row.
 */
function withParticipants<P extends { id: number; participants: string[] }>(db: Db, patrols: P[]) {
  const accounts = participantsOf(
    db,
    patrols.map((p) => p.id),
  );
  return patrols.map((p) => {
    const people = accounts.get(p.id) ?? [];
    return {
      ...p,
      participants: people.length ? people.map((a) => a.name) : p.participants,
      participantIds: people.map((a) => a.id),
    };
  });
}

/** Patrols newest first; `from`/`to` are Beijing calendar days, both inclusive. */
export function listPatrols(db: Db, user: StaffUser, q: PatrolQuery = {}, limit = 200) {
  const rows = db
    .select({
      ...PATROL_COLUMNS,
      findings: sql<number>`(select count(*) from patrol_findings f where f.patrol_id = ${nightPatrols.id})`,
    })
    .from(nightPatrols)
    .leftJoin(villages, eq(villages.id, nightPatrols.villageId))
    .leftJoin(users, eq(users.id, nightPatrols.createdBy))
    .where(
      and(
        patrolScope(user),
        q.villageId ? eq(nightPatrols.villageId, q.villageId) : undefined,
        q.from ? gte(nightPatrols.startedAt, startOfBeijingDay(q.from)) : undefined,
        q.to ? lt(nightPatrols.startedAt, new Date(startOfBeijingDay(q.to).getTime() + DAY_MS)) : undefined,
      ),
    )
    .orderBy(desc(nightPatrols.startedAt), desc(nightPatrols.id))
    .limit(limit)
    .all();
  return withParticipants(db, rows);
}

/** One patrol with its findings; a linked enterprise or complaint is named only if this user may see it. */
export function getPatrol(db: Db, user: StaffUser, id: number, rules: EvidenceRules = DEFAULT_EVIDENCE_RULES) {
  const patrol = db
    .select(PATROL_COLUMNS)
    .from(nightPatrols)
    .leftJoin(villages, eq(villages.id, nightPatrols.villageId))
    .leftJoin(users, eq(users.id, nightPatrols.createdBy))
    .where(and(eq(nightPatrols.id, id), patrolScope(user)))
    .get();
  if (!patrol) return null;
  return { ...withParticipants(db, [patrol])[0]!, findings: findingsOf(db, user, [id], rules).get(id) ?? [] };
}

/** A stored photo of a finding of a patrol this user may see (the same scope as the patrol), else null. */
export function patrolPhotoFile(
  db: Db,
  user: StaffUser,
  patrolId: number,
  findingId: number,
  photoId: string,
  size: 'display' | 'thumb',
) {
  const visible = db
    .select({ id: patrolFindings.id })
    .from(patrolFindings)
    .innerJoin(nightPatrols, eq(nightPatrols.id, patrolFindings.patrolId))
    .where(and(eq(patrolFindings.id, findingId), eq(nightPatrols.id, patrolId), patrolScope(user)))
    .get();
  return visible ? fieldPhotoFile(db, { subject: 'patrol_finding', subjectId: findingId }, photoId, size) : null;
}

/** A record a finding links to, outside this user's scope: he learns only that it exists. */
export interface HiddenLink {
  hidden: true;
}

export interface FindingView {
  id: number;
  note: string;
  enterprise: { id: number; name: string } | HiddenLink | null;
  complaint: { id: number; status: string } | HiddenLink | null;
  photos: FieldPhotoView[];
}

/** The findings of some patrols; a linked enterprise or complaint is named only if this user may see it. */
export function findingsOf(
  db: Db,
  user: StaffUser,
  patrolIds: number[],
  rules: EvidenceRules = DEFAULT_EVIDENCE_RULES,
): Map<number, FindingView[]> {
  const out = new Map<number, FindingView[]>();
  if (!patrolIds.length) return out;
  const rows = db
    .select()
    .from(patrolFindings)
    .where(inArray(patrolFindings.patrolId, patrolIds))
    .orderBy(patrolFindings.id)
    .all();
  const eIds = [...new Set(rows.flatMap((r) => (r.enterpriseId ? [r.enterpriseId] : [])))];
  const cIds = [...new Set(rows.flatMap((r) => (r.complaintId ? [r.complaintId] : [])))];
  const named = eIds.length
    ? db
        .select({ id: enterprises.id, name: enterprises.name, lat: enterprises.lat, lng: enterprises.lng })
        .from(enterprises)
        .where(and(inArray(enterprises.id, eIds), enterpriseScope(user)))
        .all()
    : [];
  // How far from the linked enterprise each photo was taken, when this user may see the enterprise.
  const siteOf = new Map(rows.map((r) => [r.id, named.find((e) => e.id === r.enterpriseId)]));
  const photos = fieldPhotoViews(
    db,
    user,
    'patrol_finding',
    rows.map((r) => r.id),
    (id) => siteOf.get(id),
    rules,
  );
  const linked = cIds.length
    ? db
        .select({ id: complaints.id, status: complaints.status })
        .from(complaints)
        .where(and(inArray(complaints.id, cIds), complaintScope(user)))
        .all()
    : [];
  const link = <T extends { id: number }>(seen: T[], id: number | null): T | HiddenLink | null =>
    id === null ? null : (seen.find((x) => x.id === id) ?? { hidden: true });
  const enterprise = (id: number | null) => {
    const e = link(named, id);
    return e && 'id' in e ? { id: e.id, name: e.name } : e;
  };
  for (const r of rows) {
    const list = out.get(r.patrolId) ?? [];
    list.push({
      id: r.id,
      note: r.note,
      enterprise: enterprise(r.enterpriseId),
      complaint: link(linked, r.complaintId),
      photos: photos.get(photoKey(r.id)) ?? [],
    });
    out.set(r.patrolId, list);
  }
  return out;
}

/** What the patrol form offers to link: enterprises and open complaints this user may see. */
export function patrolFormOptions(db: Db, user: StaffUser) {
  return {
    enterprises: db
      .select({ id: enterprises.id, name: enterprises.name, villageName: villages.name })
      .from(enterprises)
      .innerJoin(villages, eq(villages.id, enterprises.villageId))
      .where(enterpriseScope(user))
      .orderBy(villages.id, enterprises.name)
      .limit(1000)
      .all(),
    complaints: db
      .select({ id: complaints.id, address: complaints.address, description: complaints.description })
      .from(complaints)
      .where(and(inArray(complaints.status, [...OPEN_STATUSES]), complaintScope(user)))
      .orderBy(desc(complaints.id))
      .limit(300)
      .all(),
  };
}
