import { and, eq, lte, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { assignments } from '../../../db/schema-supervision.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { listAssignments, type AssignmentRow } from '../complaints/assignment-queries.ts';
import { listRevisits } from '../enforcement/revisits.ts';
import { listTasks } from '../enforcement/task-queries.ts';
import { isOffice } from '../shared/roles.ts';
import { beijingDate, endOfBeijingDay } from '../shared/time.ts';

/** The deadline an item is working towards now: 签收 while pending, 反馈 while being checked; none under review. */
export const stageDue = (item: Pick<AssignmentRow, 'status' | 'ackDueAt' | 'answerDueAt'>) =>
  item.status === 'pending' ? item.ackDueAt : item.status === 'checking' ? item.answerDueAt : null;

export type TodoSection = 'urged' | 'overdue' | 'dueToday' | 'returned' | 'review' | 'pending' | 'checking' | 'waiting';

export const SECTION_TITLES: Record<TodoSection, string> = {
  urged: '被督办',
  overdue: '已超期',
  dueToday: '今日到期',
  returned: '退回重办',
  review: '待我审核',
  pending: '待签收',
  checking: '核查中',
  waiting: '已反馈，等待审核',
};

/** Which list an item belongs in, the most pressing first: each item shows once. */
function sectionOf(item: AssignmentRow, office: boolean, now: Date): TodoSection {
  if (item.status === 'answered') return office ? 'review' : 'waiting';
  const due = stageDue(item)!;
  if (!office && item.urgeCount > 0) return 'urged';
  if (due < now) return 'overdue';
  if (beijingDate(due) === beijingDate(now)) return 'dueToday';
  if (item.returnCount > 0 && item.status === 'checking') return 'returned';
  return item.status === 'pending' ? 'pending' : 'checking';
}

export interface VillageOverdue {
  village: string;
  items: number;
  urges: number;
}

/**
 * The landing page's lists for this staff member: a village or department officer his open items,
 * the office what waits for its review and what is late (by village), a leader what is late.
 */
export function todoFor(db: Db, user: StaffUser, now: Date) {
  const office = isOffice(user) || user.role === 'leader';
  // The office sees what waits for its review and what is late or due today, not every open item of the township.
  const endOfToday = endOfBeijingDay(beijingDate(now));
  const items = office
    ? listAssignments(
        db,
        user,
        ['pending', 'checking', 'answered'],
        or(
          eq(assignments.status, 'answered'),
          and(eq(assignments.status, 'pending'), lte(assignments.ackDueAt, endOfToday)),
          and(eq(assignments.status, 'checking'), lte(assignments.answerDueAt, endOfToday)),
        ),
      )
    : listAssignments(db, user, ['pending', 'checking', 'answered']);
  const sections = new Map<TodoSection, AssignmentRow[]>();
  for (const item of items) {
    const s = sectionOf(item, office, now);
    if (office && (s === 'pending' || s === 'checking' || s === 'returned')) continue; // the assignee's to-do
    const list = sections.get(s);
    if (list) list.push(item);
    else sections.set(s, [item]);
  }
  const byVillage = new Map<string, VillageOverdue>();
  for (const item of sections.get('overdue') ?? []) {
    // A county account's list spans townships, whose villages may share a name.
    const name = user.townshipId == null ? `${item.township} · ${item.village}` : item.village;
    const v = byVillage.get(name) ?? { village: name, items: 0, urges: 0 };
    v.items++;
    v.urges += item.urgeCount;
    byVillage.set(name, v);
  }
  const order: TodoSection[] = ['urged', 'review', 'overdue', 'dueToday', 'returned', 'pending', 'checking', 'waiting'];
  const field = user.role === 'village' || user.role === 'department';
  const tasks = field ? listTasks(db, user, { status: 'active', overdue: false }, now) : [];
  const revisits = user.role === 'village' ? listRevisits(db, user, 'scheduled', now) : [];
  return {
    sections: order
      .filter((s) => sections.has(s))
      .map((s) => ({ key: s, title: SECTION_TITLES[s], items: sections.get(s)! })),
    overdueByVillage: office ? [...byVillage.values()].sort((a, b) => b.items - a.items) : [],
    tasks: { open: tasks.length, overdue: tasks.filter((t) => t.dueAt < now && t.status === 'open').length },
    revisitsDue: revisits.filter((r) => r.dueAt.getTime() <= now.getTime() + 7 * 86_400_000).length,
  };
}
