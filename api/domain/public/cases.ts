import { and, asc, desc, eq, inArray, isNotNull, sql } from 'drizzle-orm';
import { z } from 'zod';
import type { Db, Tx } from '../../../db/client.ts';
import { auditLog, villages } from '../../../db/schema.ts';
import {
  enterprises,
  INSPECTION_AREAS,
  REMEDIATION_TYPES,
  taskItems,
  tasks,
  type AreaProblems,
  type RemediationType,
} from '../../../db/schema-enforcement.ts';
import { cases } from '../../../db/schema-public.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { AREA_LABELS, REMEDIATION_LABELS } from '../enforcement/labels.ts';
import { isOffice } from '../shared/roles.ts';
import { fail, type Result } from '../shared/result.ts';
import { bumpPublicCases } from '../shared/public-version.ts';
import { townshipCondition } from '../shared/township-scope.ts';
import { visibleCase } from './case-scope.ts';
import { CASE_TRANSITIONS, nextCaseStatus, type CaseAction } from './case-workflow.ts';
import {
  leaks,
  maskReporters,
  NO_RULES,
  redactAndName,
  redactionRules,
  redactText,
  type RedactionRules,
} from './redaction.ts';
import { freeText, optionalRecordId, optionalText, recordId, textOrEmpty } from '../shared/text-input.ts';
import { beijingDate, isCalendarDate } from '../shared/time.ts';

type TypicalCase = typeof cases.$inferSelect;

const FOUND_KEYS = '发现的问题只能按八个检查方面填写';

/** The problems found, one text per inspection area (each named in its messages); empty areas are dropped. */
const foundInput = z
  .strictObject(
    Object.fromEntries(
      INSPECTION_AREAS.map((a) => [a, optionalText(`发现的问题（${AREA_LABELS[a]}）`, { max: 1000 })]),
    ),
    { error: (iss) => (iss.code === 'unrecognized_keys' ? FOUND_KEYS : '发现的问题格式不正确') },
  )
  .default({})
  .transform((f) => Object.fromEntries(Object.entries(f).filter(([, v]) => v)) as AreaProblems);

/** The editable fields; a save sends them all (the edit form is one form). */
export const caseInput = z.object({
  title: freeText('标题', { min: 4, max: 80 }),
  villageId: recordId('村（社区）', { required: '请选择村（社区）', invalid: '请选择村（社区）' }),
  remediationType: z
    .enum(REMEDIATION_TYPES, { error: '整治类型只能是关停取缔、整改提升或搬迁入园' })
    .nullish()
    .transform((v) => v ?? null),
  found: foundInput,
  actions: textOrEmpty('整治措施', 2000),
  summary: textOrEmpty('案例说明', 2000),
  happenedOn: z
    .string({ error: '请填写日期' })
    .refine(isCalendarDate, { error: '日期不是有效日期，请写成 2026-01-31 的格式' }),
  version: z.number({ error: '缺少版本号，请刷新' }).int().min(1),
});
export type CaseInput = z.infer<typeof caseInput>;

const CREATE_FROM = '请选择已验收的任务或企业档案';

/** A case starts from an accepted task or, failing that, an enterprise file. */
export const caseCreateInput = z
  .object(
    {
      taskId: optionalRecordId('任务编号'),
      enterpriseId: optionalRecordId('企业档案编号'),
    },
    { error: CREATE_FROM },
  )
  .transform((v, ctx): { taskId: number } | { enterpriseId: number } => {
    if (v.taskId) return { taskId: v.taskId };
    if (v.enterpriseId) return { enterpriseId: v.enterpriseId };
    ctx.addIssue({ code: 'custom', message: CREATE_FROM });
    return z.NEVER;
  });

const actor = (u: StaffUser) => ({ id: u.id, label: u.displayName });

const CHUNK = 500;
const chunks = <T>(xs: T[]) =>
  Array.from({ length: Math.ceil(xs.length / CHUNK) }, (_, i) => xs.slice(i * CHUNK, (i + 1) * CHUNK));

/**
 * How many merges deep the reporters of a linked complaint are looked for. A merge target is never
 * merged at the time, but may be merged later into another, so chains grow one merge at a time;
 * the bound only keeps a corrupt (cyclic) chain from looping.
 */
export const MERGE_DEPTH = 8;

/**
 * Each enterprise's linked complaints, those merged into them, and so on: every complaint whose reporter reported it.
 */
export const reportersQuery = (ids: number[]) => sql`
  with recursive owned(c, e, depth) as (
    select complaint_id, enterprise_id, 0 from enterprise_complaints where enterprise_id in ${ids}
    union
    select m.id, o.e, o.depth + 1 from owned o join complaints m on m.merged_into_id = o.c where o.depth <
      ${MERGE_DEPTH}
  )
  select o.e as e, k.name as name, k.phone as phone from owned o join complaint_contacts k on k.complaint_id = o.c`;

/**
 * Every string the reporters of each enterprise's complaints gave (name, phone), read here only
 * to be masked: never returned to a caller that could send it to a browser. A complaint merged
 * into a linked one (however many merges away, up to MERGE_DEPTH) counts as linked: its reporter
 * reported the same workshop. The merge step is served by the partial index complaints_merged_into.
 */
export function reporterStrings(db: Db | Tx, enterpriseIds: number[]): Map<number, string[]> {
  const out = new Map<number, string[]>();
  for (const ids of chunks([...new Set(enterpriseIds)])) {
    const rows = db.all<{ e: number; name: string | null; phone: string | null }>(reportersQuery(ids));
    for (const r of rows) {
      let list = out.get(r.e);
      if (!list) out.set(r.e, (list = []));
      for (const v of [r.name, r.phone]) if (v?.trim()) list.push(v);
    }
  }
  return out;
}

/** Rules holding only what the reporters of each of these enterprises gave. */
function reporterOnlyRules(db: Db | Tx, enterpriseIds: (number | null)[]): Map<number, RedactionRules> {
  const strings = reporterStrings(
    db,
    enterpriseIds.filter((id): id is number => id != null),
  );
  return new Map(
    [...strings].map(([id, reporters]) => [
      id,
      redactionRules({ name: '', personInCharge: '', landlord: '', businessLicence: false, reporters }),
    ]),
  );
}

/** Masks, in staff-facing text about these enterprises (a list of titles, names), only what their reporters gave. */
export function reporterMasker(db: Db | Tx, enterpriseIds: (number | null)[]) {
  const rules = reporterOnlyRules(db, enterpriseIds);
  return (enterpriseId: number | null, text: string) => {
    const r = enterpriseId == null ? undefined : rules.get(enterpriseId);
    return r ? maskReporters(text, r) : text;
  };
}

/**
 * Published text on its way out, as publication would redact it now: the current reporters of the
 * case's enterprise (a complaint linked, or merged into a linked one, after publication) and any
 * phone, ID number or e-mail. One query for all the cases of a page; the text is masked in the
 * same pass that removes numbers, on the same normaliser.
 */
export function publicMasker(db: Db | Tx, enterpriseIds: (number | null)[]) {
  const rules = reporterOnlyRules(db, enterpriseIds);
  return (enterpriseId: number | null, text: string) =>
    redactText(text, (enterpriseId != null && rules.get(enterpriseId)) || NO_RULES);
}

/** What a typical case must not show: the persons on its enterprise's file, and everything its reporters gave. */
export function rulesFor(db: Db | Tx, enterpriseId: number | null): RedactionRules {
  if (!enterpriseId) return redactionRules(null);
  const e = db
    .select({
      name: enterprises.name,
      personInCharge: enterprises.personInCharge,
      landlord: enterprises.landlord,
      businessLicence: enterprises.businessLicence,
    })
    .from(enterprises)
    .where(eq(enterprises.id, enterpriseId))
    .get();
  return redactionRules(e ? { ...e, reporters: reporterStrings(db, [enterpriseId]).get(enterpriseId) ?? [] } : null);
}

type TextFields = Pick<TypicalCase, 'title' | 'found' | 'actions' | 'summary'>;

export function redactFields(f: TextFields, rules: RedactionRules): TextFields {
  return {
    title: redactText(f.title, rules),
    found: Object.fromEntries(Object.entries(f.found).map(([k, v]) => [k, redactText(v ?? '', rules)])) as AreaProblems,
    actions: redactText(f.actions, rules),
    summary: redactText(f.summary, rules),
  };
}

export const allText = (f: TextFields) => [f.title, f.actions, f.summary, ...Object.values(f.found)].join('\n');

/** The editor's text as typed, for the live preview: no field is required yet. */
export const casePreviewInput = z.object({
  title: textOrEmpty('标题', 80),
  summary: textOrEmpty('案例说明', 2000),
  actions: textOrEmpty('整治措施', 2000),
  found: foundInput,
});
export type CasePreviewInput = z.infer<typeof casePreviewInput>;

/**
 * The draft as the public would read it, redacted here: the editor's preview shows the result,
 * never the rules. `leaks` names the kinds of thing the typed text held (now hidden), `remaining`
 * what would still stop publication; neither ever carries a value.
 */
export function previewCase(
  db: Db,
  user: StaffUser,
  id: number,
  input: CasePreviewInput,
): Result<TextFields & { leaks: string[]; remaining: string[] }> {
  if (!isOffice(user)) return fail(403, '只有整治办可以修改典型案例');
  const row = db.select({ enterpriseId: cases.enterpriseId }).from(cases).where(visibleCase(user, id)).get();
  if (!row) return fail(404, '案例不存在');
  const rules = rulesFor(db, row.enterpriseId);
  // One pass over each field finds what to hide and names it; the result is checked once more, as at publication.
  const hidden = new Set<string>();
  const redact = (t: string) => {
    const r = redactAndName(t, rules);
    for (const k of r.hidden) hidden.add(k);
    return r.text;
  };
  const shown: TextFields = {
    title: redact(input.title),
    summary: redact(input.summary),
    actions: redact(input.actions),
    found: Object.fromEntries(
      Object.entries(input.found)
        .filter(([, v]) => v)
        .map(([k, v]) => [k, redact(v!)]),
    ) as AreaProblems,
  };
  return { ok: true, ...shown, leaks: [...hidden], remaining: leaks(allText(shown), rules) };
}

const TITLE_ENDS: Record<RemediationType, string> = {
  shutdown: '被依法关停取缔',
  rectify: '完成整改提升',
  relocate: '完成搬迁入园',
};

/** A draft prefilled from an accepted task (or an enterprise's latest one): found, done, where and when. */
export function createCase(
  db: Db,
  user: StaffUser,
  input: z.infer<typeof caseCreateInput>,
  now: Date,
): Result<{ id: number }> {
  if (!isOffice(user)) return fail(403, '只有整治办可以撰写典型案例');
  return db.transaction((tx) => {
    let task: typeof tasks.$inferSelect | undefined;
    if ('taskId' in input) {
      task = tx.select().from(tasks).where(eq(tasks.id, input.taskId)).get();
      if (!task) return fail(404, '任务不存在');
      if (task.status !== 'accepted') return fail(400, '只有通过验收的任务才能写成典型案例');
    }
    const enterpriseId = task?.enterpriseId ?? ('enterpriseId' in input ? input.enterpriseId : 0);
    const ent = tx.select().from(enterprises).where(eq(enterprises.id, enterpriseId)).get();
    if (!ent) return fail(404, '企业不存在');
    task ??= tx
      .select()
      .from(tasks)
      .where(and(eq(tasks.enterpriseId, ent.id), eq(tasks.status, 'accepted')))
      .orderBy(desc(tasks.acceptedAt))
      .get();
    const villageId = task?.villageId ?? ent.villageId;
    const village = tx
      .select({ name: villages.name })
      .from(villages)
      .where(
        and(eq(villages.id, villageId), user.townshipId == null ? undefined : eq(villages.townshipId, user.townshipId)),
      )
      .get();
    // Another township's file is not this office's to write up: answered as if it did not exist.
    if (!village) return fail(404, task ? '任务不存在' : '企业不存在');
    const type = task?.type ?? ent.remediationType ?? null;
    const done = task
      ? tx
          .select({ label: taskItems.label })
          .from(taskItems)
          .where(and(eq(taskItems.taskId, task.id), isNotNull(taskItems.doneAt)))
          .orderBy(asc(taskItems.seq))
          .all()
      : [];
    const happenedOn = beijingDate(task?.acceptedAt ?? now);
    const rules = rulesFor(tx, ent.id); // the same rules every later save applies, reporters included
    const publicName = redactText(ent.name, rules);
    const fields = redactFields(
      {
        title: `${village.name}${publicName}${type ? TITLE_ENDS[type] : '被查处'}`.slice(0, 80),
        found: ent.problems,
        actions: done.map((d) => d.label).join('\n'),
        summary: task
          ? `${happenedOn}，${village.name}${publicName}完成${type ? REMEDIATION_LABELS[type] : '整治'}，通过整治办验收。`
          : '',
      },
      rules,
    );
    const row = tx
      .insert(cases)
      .values({
        ...fields,
        villageId,
        enterpriseId: ent.id,
        taskId: task?.id ?? null,
        remediationType: type,
        happenedOn,
        authorId: user.id,
        updatedAt: now,
      })
      .returning({ id: cases.id })
      .get();
    audit(
      tx,
      actor(user),
      {
        action: 'case.create',
        objectType: 'case',
        objectId: row.id,
        details: { taskId: task?.id ?? null, enterpriseId: ent.id },
      },
      now,
    );
    bumpPublicCases();
    return { ok: true, id: row.id };
  });
}

/** Loads a typical case for a write by the office, checking the version the writer read. */
export function forWrite(tx: Db | Tx, user: StaffUser, id: number, version: number): Result<{ row: TypicalCase }> {
  if (!isOffice(user)) return fail(403, '只有整治办可以修改典型案例');
  const row = tx.select().from(cases).where(visibleCase(user, id)).get();
  if (!row) return fail(404, '案例不存在');
  if (row.version !== version) return fail(409, '案例已被他人修改，请刷新后再操作');
  return { ok: true, row };
}

/** Saves the form, redacted. A submitted or withdrawn case goes back to draft: it needs a new approval. */
export function updateCase(
  db: Db,
  user: StaffUser,
  id: number,
  input: CaseInput,
  now: Date,
): Result<{ version: number }> {
  return db.transaction((tx) => {
    const r = forWrite(tx, user, id, input.version);
    if (!r.ok) return r;
    const to = nextCaseStatus('edit', r.row.status);
    if (!to) return fail(400, CASE_TRANSITIONS.edit.refused);
    // A case stays in its township: the village chosen must lie in the actor's township and the case's own.
    const same = tx
      .select({ id: villages.id })
      .from(villages)
      .where(
        and(
          eq(villages.id, input.villageId),
          eq(villages.townshipId, sql`(select v.township_id from villages v where v.id = ${r.row.villageId})`),
        ),
      )
      .get();
    if (!same) return fail(400, '村（社区）不存在或不在本案例所在乡镇（街道）');
    const { version, ...fields } = input;
    const redacted = redactFields(fields, rulesFor(tx, r.row.enterpriseId));
    tx.update(cases)
      .set({ ...fields, ...redacted, status: to, version: version + 1, updatedAt: now })
      .where(eq(cases.id, id))
      .run();
    audit(
      tx,
      actor(user),
      { action: CASE_TRANSITIONS.edit.audit, objectType: 'case', objectId: id, details: { from: r.row.status } },
      now,
    );
    bumpPublicCases();
    return { ok: true, version: version + 1 };
  });
}

// Audit rows written before migration 0009 name a typical case "exposure"; they are read as "case".
const LEGACY_TYPE = 'exposure';

/** A case's audit trail, oldest first, in today's names. */
export function caseTrail(db: Db | Tx, id: number) {
  return db
    .select({
      id: auditLog.id,
      at: auditLog.at,
      action: auditLog.action,
      actorId: auditLog.actorId,
      actor: auditLog.actorLabel,
      reason: auditLog.reason,
    })
    .from(auditLog)
    .where(and(inArray(auditLog.objectType, ['case', LEGACY_TYPE]), eq(auditLog.objectId, String(id))))
    .orderBy(asc(auditLog.id))
    .all()
    .map((a) => ({ ...a, action: a.action.replace(`${LEGACY_TYPE}.`, 'case.') }));
}

const CONTENT_ACTIONS = ['case.create', 'case.update', 'case.photo_add', 'case.photo_blur', 'case.photo_remove'];

/** Who wrote this version of the case: its author and everyone who edited it since it was last taken down. */
export function contributors(db: Db | Tx, row: Pick<TypicalCase, 'id' | 'authorId'>): Set<number> {
  const rows = caseTrail(db, row.id);
  const lastDown = rows.findLast((a) => a.action === 'case.unpublish')?.id ?? 0;
  const ids = rows
    .filter((a) => a.id > lastDown && CONTENT_ACTIONS.includes(a.action))
    .map((a) => a.actorId)
    .filter((v): v is number => v != null);
  return new Set([row.authorId, ...ids]);
}

/** What each action records beside the status change. */
function recorded(input: CaseAction, user: StaffUser, now: Date): Partial<typeof cases.$inferInsert> {
  switch (input.action) {
    case 'approve':
      return { approvedBy: user.id, publishedAt: now, unpublishedAt: null, unpublishReason: null };
    case 'unpublish':
      return { unpublishedAt: now, unpublishReason: input.reason };
    case 'submit':
      return {};
  }
}

/** Applies one action through CASE_TRANSITIONS: office only, version-checked, four-eyes for approval, audited. */
export function applyCaseAction(
  db: Db,
  user: StaffUser,
  id: number,
  input: CaseAction,
  now: Date,
): Result<{ version: number; status: TypicalCase['status'] }> {
  return db.transaction((tx) => {
    const r = forWrite(tx, user, id, input.version);
    if (!r.ok) return r;
    const row = r.row;
    const rule = CASE_TRANSITIONS[input.action];
    const to = nextCaseStatus(input.action, row.status);
    if (!to) return fail(400, rule.refused);
    if (rule.by === 'reviewer' && contributors(tx, row).has(user.id)) return fail(403, '不能发布自己撰写的案例');
    if (input.action === 'approve') {
      // What is published is what was saved and reviewed; the file or the linked complaints may have
      // changed since the save, so the saved text is checked against what they say now.
      const left = leaks(allText(row), rulesFor(tx, row.enterpriseId));
      if (left.length)
        return fail(
          409,
          `案例仍含有${left.join('、')}，不能发布。请整治办打开案例重新保存（保存时自动隐去），再提交审核`,
        );
    }
    tx.update(cases)
      .set({ ...recorded(input, user, now), status: to, version: row.version + 1, updatedAt: now })
      .where(eq(cases.id, id))
      .run();
    audit(
      tx,
      actor(user),
      {
        action: rule.audit,
        objectType: 'case',
        objectId: id,
        reason: 'reason' in input ? input.reason : null,
        details: { from: row.status, to },
      },
      now,
    );
    bumpPublicCases();
    return { ok: true, version: row.version + 1, status: to };
  });
}

export const CASE_STATUS_LABELS: Record<TypicalCase['status'], string> = {
  draft: '草稿',
  pending: '待审核',
  published: '已发布',
  unpublished: '已撤下',
};

/** Accepted tasks not yet written up, for the "new case" picker: the account's township's. */
export function acceptedTasksWithoutCase(db: Db, user: StaffUser) {
  const rows = db
    .select({
      id: tasks.id,
      enterpriseId: tasks.enterpriseId,
      enterpriseName: enterprises.name,
      type: tasks.type,
      acceptedAt: tasks.acceptedAt,
      villageName: villages.name,
    })
    .from(tasks)
    .innerJoin(enterprises, eq(enterprises.id, tasks.enterpriseId))
    .innerJoin(villages, eq(villages.id, tasks.villageId))
    .where(
      and(
        eq(tasks.status, 'accepted'),
        sql`not exists (select 1 from cases x where x.task_id = ${tasks.id})`,
        townshipCondition(user, { village: tasks.villageId }),
      ),
    )
    .orderBy(desc(tasks.acceptedAt))
    .limit(200)
    .all();
  const mask = reporterMasker(
    db,
    rows.map((r) => r.enterpriseId),
  );
  return rows.map(({ enterpriseId, ...r }) => ({ ...r, enterpriseName: mask(enterpriseId, r.enterpriseName) }));
}
