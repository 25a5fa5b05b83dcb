import { asc, eq } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { departments, townships } from '../../../db/schema.ts';
import { freeText, optionalRecordId } from '../shared/text-input.ts';
import { audit, type Actor } from './audit.ts';
import type { AccountResult } from './accounts.ts';

/**
 * A new department: a county one (生态环境分局, 市场监管局…, no township) joins work in any township; a township's
 * own 站所 (环保站, 安监站…) joins only its township's work, and its officers are that township's accounts.
 */
export const departmentInput = z.object({
  code: z
    .string({ error: '请填写部门代码' })
    .trim()
    .regex(/^[a-z0-9-]{2,40}$/, { error: '部门代码为 2–40 位小写字母、数字或 -' }),
  name: freeText('部门名称', { min: 2, max: 40, required: '请填写部门名称', tooShort: '部门名称至少 2 个字' }),
  townshipId: optionalRecordId('所属乡镇（街道）'),
});

/** Every department, the county's first, each with its level. */
export function listDepartments(db: Db) {
  return db
    .select({
      id: departments.id,
      code: departments.code,
      name: departments.name,
      townshipId: departments.townshipId,
      townshipName: townships.name,
    })
    .from(departments)
    .leftJoin(townships, eq(townships.id, departments.townshipId))
    .orderBy(asc(departments.townshipId), asc(departments.sort), asc(departments.id))
    .all();
}

/** Adds a department (admin only, by policy), audited; a code already taken or an unknown township is refused. */
export function createDepartment(
  db: Db,
  actor: Actor,
  input: z.infer<typeof departmentInput>,
  now = new Date(),
): AccountResult<{ id: number }> {
  const townshipId = input.townshipId ?? null;
  if (townshipId !== null && !db.select({ id: townships.id }).from(townships).where(eq(townships.id, townshipId)).get())
    return { ok: false, message: '所属乡镇（街道）不存在' };
  if (db.select({ id: departments.id }).from(departments).where(eq(departments.code, input.code)).get())
    return { ok: false, message: '部门代码已存在' };
  const id = db.transaction((tx) => {
    const last = tx.select({ sort: departments.sort }).from(departments).orderBy(asc(departments.sort)).all().at(-1);
    const row = tx
      .insert(departments)
      .values({ code: input.code, name: input.name, townshipId, sort: (last?.sort ?? 0) + 1 })
      .returning({ id: departments.id })
      .get();
    audit(
      tx,
      actor,
      { action: 'department.create', objectType: 'department', objectId: row.id, details: { ...input, townshipId } },
      now,
    );
    return row.id;
  });
  return { ok: true, value: { id } };
}
