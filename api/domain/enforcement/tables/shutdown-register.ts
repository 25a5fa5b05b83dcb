import { and, asc, eq, gte, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { townships, villages } from '../../../../db/schema.ts';
import { enterprises, tasks, type TaskStatus } from '../../../../db/schema-enforcement.ts';
import type { StaffScope } from '../../accounts/sessions.ts';
import { taskScope } from '../scope.ts';
import { TASK_STATUS_LABELS } from '../labels.ts';
import { periodBounds, type Period, type TableColumn } from './progress.ts';
import { beijingDate, daysLeft } from '../../shared/time.ts';

export interface ShutdownFilter {
  /** Tasks live at some time in the period: created before its end, not accepted before its start. */
  period?: Period;
  /** Cancelled tasks are left out unless asked for. */
  status?: TaskStatus;
  /** For a page; the .xlsx has them all. */
  limit?: number;
  /** One township's part of the county's register (a township account has only its own anyway). */
  townshipId?: number;
}

export interface ShutdownRow {
  taskId: number;
  townshipId: number;
  township: string;
  enterprise: string;
  village: string;
  address: string;
  phone: string;
  personInCharge: string;
  status: TaskStatus;
  dueAt: Date;
  acceptedAt: Date | null;
  villageLead: string;
  townshipLead: string;
  departmentLead: string;
  departments: string;
  itemsTotal: number;
  itemsDone: number;
  doneLabels: string;
  overdueDays: number | null;
}

/** The shutdown tasks (关停取缔) for the registers of seed 004, by township, then oldest first within each village. */
export function shutdownTasks(db: Db, user: StaffScope, filter: ShutdownFilter, now: Date): ShutdownRow[] {
  const bounds = filter.period && periodBounds(filter.period);
  const rows = db
    .select({
      taskId: tasks.id,
      townshipId: townships.id,
      township: townships.name,
      enterprise: enterprises.name,
      village: villages.name,
      address: enterprises.address,
      // The enterprise's own phone (the register's 联系电话), never a reporter's.
      phone: enterprises.phone,
      personInCharge: enterprises.personInCharge,
      status: tasks.status,
      dueAt: tasks.dueAt,
      acceptedAt: tasks.acceptedAt,
      villageLead: tasks.villageLead,
      townshipLead: tasks.townshipLead,
      departmentLead: tasks.departmentLead,
      departments: sql<
        string | null
      >`(select group_concat(d.name, '、' order by d.sort) from task_departments td join departments d on d.id =
        td.department_id where td.task_id = ${tasks.id})`,
      itemsTotal: sql<number>`(select count(*) from task_items i where i.task_id = ${tasks.id})`,
      itemsDone: sql<number>`(select count(*) from task_items i where i.task_id = ${tasks.id}
        and i.done_at is not null)`,
      doneLabels: sql<
        string | null
      >`(select group_concat(i.label, '、' order by i.seq) from task_items i where i.task_id = ${tasks.id} and
        i.done_at is not null)`,
    })
    .from(tasks)
    .innerJoin(enterprises, eq(enterprises.id, tasks.enterpriseId))
    .innerJoin(villages, eq(villages.id, tasks.villageId))
    .innerJoin(townships, eq(townships.id, villages.townshipId))
    .where(
      and(
        eq(tasks.type, 'shutdown'),
        filter.status ? eq(tasks.status, filter.status) : ne(tasks.status, 'cancelled'),
        bounds &&
          and(lt(tasks.createdAt, bounds.end), or(isNull(tasks.acceptedAt), gte(tasks.acceptedAt, bounds.start))),
        taskScope(user),
        filter.townshipId === undefined ? undefined : eq(villages.townshipId, filter.townshipId),
      ),
    )
    .orderBy(asc(townships.sort), asc(townships.id), asc(villages.id), asc(tasks.createdAt), asc(tasks.id))
    .limit(filter.limit ?? -1)
    .all();
  return rows.map((r) => {
    const late = (r.status === 'open' || r.status === 'submitted') && r.dueAt < now;
    return {
      ...r,
      departments: r.departments ?? '',
      doneLabels: r.doneLabels ?? '',
      overdueDays: late ? Math.max(0, -daysLeft(r.dueAt, now)) : null,
    };
  });
}

/** 取缔情况: which checklist lines are done, then the acceptance date or where the task stands. */
export function shutdownProgress(
  r: Pick<ShutdownRow, 'status' | 'acceptedAt' | 'itemsTotal' | 'itemsDone' | 'doneLabels'>,
): string {
  const items =
    r.itemsTotal === 0
      ? '无检查清单'
      : r.itemsDone === r.itemsTotal
        ? `${r.doneLabels}已完成`
        : r.itemsDone === 0
          ? `已完成 0/${r.itemsTotal} 项`
          : `已完成 ${r.itemsDone}/${r.itemsTotal} 项：${r.doneLabels}`;
  const stage =
    r.status === 'accepted' && r.acceptedAt ? `${beijingDate(r.acceptedAt)} 验收` : TASK_STATUS_LABELS[r.status];
  return `${items}；${stage}`;
}

const overdueNote = (r: ShutdownRow) =>
  r.overdueDays === null ? '' : r.overdueDays > 0 ? `已逾期 ${r.overdueDays} 天` : '今日到期未完成';
const joinNotes = (parts: string[]) => parts.filter(Boolean).join('；');

/** 附件3 登记表 of seed 004. */
export const REGISTER_COLUMNS: TableColumn[] = [
  { header: '序号', width: 6 },
  { header: '企业名称', width: 26 },
  { header: '取缔情况', width: 44 },
  { header: '村居负责人', width: 12 },
  { header: '镇街负责人', width: 12 },
  { header: '责任部门负责人', width: 14 },
  { header: '备注', width: 30 },
];
/** 备注 of the register: the departments that joined, and lateness. */
export const registerRemark = (r: ShutdownRow) =>
  joinNotes([r.departments && `联合部门：${r.departments}`, overdueNote(r)]);
export const registerCells = (r: ShutdownRow, i: number): (string | number)[] => [
  i + 1,
  r.enterprise,
  shutdownProgress(r),
  r.villageLead,
  r.townshipLead,
  r.departmentLead,
  registerRemark(r),
];

/** 附件2 任务表 of seed 004. */
export const TASK_TABLE_COLUMNS: TableColumn[] = [
  { header: '序号', width: 6 },
  { header: '企业名称', width: 26 },
  { header: '企业位置', width: 34 },
  { header: '联系电话', width: 15 },
  { header: '备注', width: 36 },
];
export const taskTableCells = (r: ShutdownRow, i: number): (string | number)[] => [
  i + 1,
  r.enterprise,
  [r.village, r.address].filter(Boolean).join(' '),
  r.phone,
  joinNotes([
    r.personInCharge && `负责人：${r.personInCharge}`,
    `期限：${beijingDate(r.dueAt)}`,
    TASK_STATUS_LABELS[r.status],
    overdueNote(r),
  ]),
];
