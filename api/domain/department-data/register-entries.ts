import { and, asc, desc, eq, isNotNull, isNull, sql, type SQL } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { departments, villages } from '../../../db/schema.ts';
import { enterprises } from '../../../db/schema-enforcement.ts';
import { registerEntries } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { townshipCondition } from '../shared/township-scope.ts';
import type { MatchedBy } from './matcher.ts';

export const MATCHED_BY_LABELS: Record<MatchedBy, string> = {
  credit_code: '信用代码',
  name: '名称',
  staff: '人工',
};

export interface EntryView {
  id: number;
  department: string;
  line: number;
  creditCode: string | null;
  name: string;
  address: string;
  registerStatus: string;
  enterpriseId: number | null;
  enterpriseName: string | null;
  village: string | null;
  matchedBy: MatchedBy | null;
}

const LIST_LIMIT = 200;

function entries(db: Db, where: SQL | undefined, order: 'line' | 'newest', limit: number): EntryView[] {
  return db
    .select({
      id: registerEntries.id,
      department: departments.name,
      line: registerEntries.line,
      creditCode: registerEntries.creditCode,
      name: registerEntries.name,
      address: registerEntries.address,
      registerStatus: registerEntries.registerStatus,
      enterpriseId: registerEntries.enterpriseId,
      enterpriseName: enterprises.name,
      village: villages.name,
      matchedBy: registerEntries.matchedBy,
    })
    .from(registerEntries)
    .innerJoin(departments, eq(departments.id, registerEntries.departmentId))
    .leftJoin(enterprises, eq(enterprises.id, registerEntries.enterpriseId))
    .leftJoin(villages, eq(villages.id, enterprises.villageId))
    .where(where)
    .orderBy(
      ...(order === 'line'
        ? [asc(registerEntries.departmentId), asc(registerEntries.line)]
        : [desc(registerEntries.id)]),
    )
    .limit(limit)
    .all();
}

/**
 * The township's register rows without a file (a staff "no file" included: it says so), and the latest matched,
 * each list the first 200 with the total.
 */
export function registerLists(db: Db, townshipId: number, departmentId?: number) {
  const scope = and(
    eq(registerEntries.townshipId, townshipId),
    departmentId === undefined ? undefined : eq(registerEntries.departmentId, departmentId),
  );
  const count = (where: SQL | undefined) =>
    db.select({ n: sql<number>`count(*)` }).from(registerEntries).where(where).get()!.n;
  const unmatchedWhere = and(scope, isNull(registerEntries.enterpriseId));
  const matchedWhere = and(scope, isNotNull(registerEntries.enterpriseId));
  return {
    unmatched: entries(db, unmatchedWhere, 'line', LIST_LIMIT),
    unmatchedTotal: count(unmatchedWhere),
    matched: entries(db, matchedWhere, 'newest', LIST_LIMIT),
    matchedTotal: count(matchedWhere),
  };
}

/** The township's files to choose from when matching by hand: name, village, credit code. */
export function fileChoices(db: Db, townshipId: number) {
  return db
    .select({ id: enterprises.id, name: enterprises.name, village: villages.name, creditCode: enterprises.creditCode })
    .from(enterprises)
    .innerJoin(villages, eq(villages.id, enterprises.villageId))
    .where(eq(enterprises.townshipId, townshipId))
    .orderBy(asc(villages.name), asc(enterprises.name))
    .all();
}

/**
 * The office matches a register row to a file by hand, or says it has none (`enterpriseId` null). `from` is the
 * match the person saw: another's change since is a 409. A match by hand survives re-imports. Audited.
 */
export function matchByHand(
  db: Db,
  user: Pick<StaffUser, 'id' | 'displayName' | 'townshipId'>,
  input: { entryId: number; enterpriseId: number | null; from: number | null },
  now: Date,
): Result<{ id: number }> {
  const actor = { id: user.id, label: user.displayName };
  return atomically(db, (tx) => {
    const entry = tx
      .select()
      .from(registerEntries)
      .where(
        and(eq(registerEntries.id, input.entryId), townshipCondition(user, { township: registerEntries.townshipId })),
      )
      .get();
    if (!entry) return fail(404, '登记记录不存在');
    if (entry.enterpriseId !== input.from) return fail(409, '这条记录的匹配已被他人修改，请刷新页面后重试');
    if (input.enterpriseId !== null) {
      const file = tx
        .select({ id: enterprises.id })
        .from(enterprises)
        .where(and(eq(enterprises.id, input.enterpriseId), eq(enterprises.townshipId, entry.townshipId)))
        .get();
      // Both ends in one township: the register row's.
      if (!file) return fail(400, '企业档案编号不存在或不在该登记记录所在的乡镇（街道）');
    }
    tx.update(registerEntries)
      .set({ enterpriseId: input.enterpriseId, matchedBy: 'staff' })
      .where(eq(registerEntries.id, entry.id))
      .run();
    const details = {
      from: entry.enterpriseId,
      to: input.enterpriseId,
      name: entry.name,
      creditCode: entry.creditCode,
    };
    audit(
      tx,
      actor,
      { action: 'register_entry.match', objectType: 'register_entry', objectId: entry.id, details },
      now,
    );
    return { ok: true, id: entry.id };
  });
}

/** The audit log's names for department data's staff actions (admin/pages/audit.astro). */
export const DEPARTMENT_DATA_AUDIT_LABELS: Record<string, string> = {
  'department_data.import': '部门数据：导入登记信息或年度数据',
  'register_entry.match': '部门数据：人工匹配登记记录',
  'evaluation_settings.update': '部门数据：修改亩产效益评价权重和分数线',
};
