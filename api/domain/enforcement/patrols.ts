import { and, desc, eq, gte, inArray, lt, sql, type SQL } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { complaints, users, villages } from '../../../db/schema.ts';
import { enterprises, nightPatrols, patrolFindings } from '../../../db/schema-enforcement.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { complaintScope, visibleComplaint } from '../complaints/scope.ts';
import { OPEN_STATUSES } from '../complaints/workflow.ts';
import { enterpriseScope, visibleEnterprise } from './scope.ts';
import { fail, type Result } from '../shared/result.ts';
import { FIELD, hasRole, PATROL_READ } from '../shared/roles.ts';
import { freeText, optionalRecordId, recordId, textOrEmpty } from '../shared/text-input.ts';
import { DAY_MS, isCalendarDate, startOfBeijingDay } from '../shared/time.ts';

type Who = Pick<StaffUser, 'role' | 'villageId' | 'departmentId'>;

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

/** Names typed one a line or separated by commas (or 、), or already a list. */
const participants = z
  .union([z.array(z.string().max(200)).max(50), z.string().max(2000)], { error: '请填写参加人员' })
  .transform((v) => (Array.isArray(v) ? v : v.split(/[\n,，、;；]+/)))
  .pipe(z.array(freeText('参加人员姓名', { max: 30, tooLong: '参加人员姓名最多 30 个字' })))
  .transform((names) => [...new Set(names.filter(Boolean))])
  .pipe(z.array(z.string()).min(2, { error: '夜查至少两人参加' }).max(20, { error: '参加人员最多 20 人' }));

const finding = z.object({
  enterpriseId: optionalRecordId('关联企业'),
  complaintId: optionalRecordId('关联举报'),
  note: freeText('发现的情况', { min: 1, max: 1000, required: '请写明发现的情况', tooLong: '每条发现最多 1000 个字' }),
});

/** A night patrol as the form sends it; `now` bounds the times (nothing in the future). */
export const patrolInput = (now: () => Date) =>
  z
    .object({
      startedAt: moment('开始时间'),
      endedAt: moment('结束时间'),
      area: freeText('巡查区域', { min: 2, max: 200, required: '请填写巡查区域', tooShort: '请填写巡查区域' }),
      villageId: optionalRecordId('村（社区）'),
      participants,
      summary: textOrEmpty('情况小结', 2000),
      findings: z.array(finding).max(50, { error: '一次最多记录 50 条发现' }).default([]),
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

/** A village officer sees his village's patrols only; the office and leaders all; nobody else any. */
export function patrolScope(user: Who): SQL | undefined {
  if (!hasRole(user, PATROL_READ)) return sql`0`;
  if (user.role === 'village') return eq(nightPatrols.villageId, user.villageId ?? -1);
  return undefined;
}

export function createPatrol(db: Db, user: StaffUser, input: PatrolInput, now: Date): Result<{ id: number }> {
  if (!hasRole(user, FIELD)) return fail(400, '只有整治办和村（社区）可以登记夜查');
  // A village officer's patrol is his village's, whatever the form says.
  const villageId = user.role === 'village' ? user.villageId : (input.villageId ?? null);
  if (user.role === 'village' && !villageId) return fail(400, '账号未绑定村（社区）');
  return db.transaction((tx) => {
    if (villageId && !tx.select({ id: villages.id }).from(villages).where(eq(villages.id, villageId)).get())
      return fail(400, '村（社区）不存在');
    for (const [i, f] of input.findings.entries()) {
      const n = `第 ${i + 1} 条发现：`;
      if (f.enterpriseId) {
        const e = tx
          .select({ villageId: enterprises.villageId })
          .from(enterprises)
          .where(visibleEnterprise(user, f.enterpriseId))
          .get();
        if (!e) return fail(400, `${n}关联的企业不存在或无权查看`);
        if (villageId && e.villageId !== villageId) return fail(400, `${n}关联的企业不在本次夜查的村（社区）`);
      }
      if (f.complaintId) {
        const c = tx
          .select({ villageId: complaints.villageId, status: complaints.status })
          .from(complaints)
          .where(visibleComplaint(user, f.complaintId))
          .get();
        if (!c) return fail(400, `${n}关联的举报不存在或无权查看`);
        if (!OPEN_STATUSES.includes(c.status)) return fail(400, `${n}只能关联尚未办结的举报（待受理、已受理、已交办）`);
        if (villageId && c.villageId !== villageId) return fail(400, `${n}关联的举报不在本次夜查的村（社区）`);
      }
    }
    const row = tx
      .insert(nightPatrols)
      .values({
        startedAt: input.startedAt,
        endedAt: input.endedAt,
        area: input.area,
        villageId,
        participants: input.participants,
        summary: input.summary,
        createdBy: user.id,
        createdAt: now,
      })
      .returning({ id: nightPatrols.id })
      .get();
    if (input.findings.length) {
      tx.insert(patrolFindings)
        .values(
          input.findings.map((f) => ({
            patrolId: row.id,
            enterpriseId: f.enterpriseId ?? null,
            complaintId: f.complaintId ?? null,
            note: f.note,
          })),
        )
        .run();
    }
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'patrol.create',
        objectType: 'night_patrol',
        objectId: row.id,
        details: { villageId, participants: input.participants.length, findings: input.findings.length },
      },
      now,
    );
    return { ok: true, id: row.id };
  });
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
  participants: nightPatrols.participants,
  summary: nightPatrols.summary,
  createdBy: users.displayName,
  createdAt: nightPatrols.createdAt,
};

/** Patrols newest first; `from`/`to` are Beijing calendar days, both inclusive. */
export function listPatrols(db: Db, user: StaffUser, q: PatrolQuery = {}, limit = 200) {
  return db
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
}

/** One patrol with its findings; a linked enterprise or complaint is named only if this user may see it. */
export function getPatrol(db: Db, user: StaffUser, id: number) {
  const patrol = db
    .select(PATROL_COLUMNS)
    .from(nightPatrols)
    .leftJoin(villages, eq(villages.id, nightPatrols.villageId))
    .leftJoin(users, eq(users.id, nightPatrols.createdBy))
    .where(and(eq(nightPatrols.id, id), patrolScope(user)))
    .get();
  if (!patrol) return null;
  return { ...patrol, findings: findingsOf(db, user, [id]).get(id) ?? [] };
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
}

/** The findings of some patrols; a linked enterprise or complaint is named only if this user may see it. */
export function findingsOf(db: Db, user: StaffUser, patrolIds: number[]): Map<number, FindingView[]> {
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
        .select({ id: enterprises.id, name: enterprises.name })
        .from(enterprises)
        .where(and(inArray(enterprises.id, eIds), enterpriseScope(user)))
        .all()
    : [];
  const linked = cIds.length
    ? db
        .select({ id: complaints.id, status: complaints.status })
        .from(complaints)
        .where(and(inArray(complaints.id, cIds), complaintScope(user)))
        .all()
    : [];
  const link = <T extends { id: number }>(seen: T[], id: number | null): T | HiddenLink | null =>
    id === null ? null : (seen.find((x) => x.id === id) ?? { hidden: true });
  for (const r of rows) {
    const list = out.get(r.patrolId) ?? [];
    list.push({
      id: r.id,
      note: r.note,
      enterprise: link(named, r.enterpriseId),
      complaint: link(linked, r.complaintId),
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
