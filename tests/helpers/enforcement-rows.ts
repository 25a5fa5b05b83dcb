import type { AppContext } from '../../api/context.ts';
import { enterprises, tasks, type RemediationType, type TaskStatus } from '../../db/schema-enforcement.ts';

/** A Beijing wall-clock time. */
export const bj = (s: string) => new Date(`${s}+08:00`);

/** Enterprise files and tasks written straight into a test's database, with the fields counts read. */
export function enforcementRows(ctx: AppContext) {
  let seq = 0;
  const ent = (
    place: { townshipId: number; villageId: number },
    o: { premises?: 'owned' | 'rented'; status?: 'listed' | 'in_progress' | 'done'; created?: string } = {},
  ) => {
    seq++;
    const at = bj(o.created ?? '2026-01-05T09:00:00');
    return ctx.db
      .insert(enterprises)
      .values({
        ...place,
        name: `目标测试作坊${seq}`,
        address: `测试路${seq}号`,
        premises: o.premises ?? 'owned',
        status: o.status ?? 'listed',
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: enterprises.id })
      .get().id;
  };
  const task = (
    enterpriseId: number,
    villageId: number,
    type: RemediationType,
    status: TaskStatus,
    o: { accepted?: string; created?: string; due?: string } = {},
  ) => {
    const created = bj(o.created ?? '2026-01-10T09:00:00');
    return ctx.db
      .insert(tasks)
      .values({
        enterpriseId,
        villageId,
        type,
        status,
        origin: 'survey',
        villageLead: '村负责人',
        townshipLead: '镇负责人',
        dueAt: bj(o.due ?? '2026-12-31T23:59:59'),
        acceptedAt: o.accepted ? bj(o.accepted) : null,
        createdAt: created,
        updatedAt: created,
      })
      .returning({ id: tasks.id })
      .get().id;
  };
  return { ent, task };
}
