import type { Db } from '../../../db/client.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { listTasks } from '../enforcement/task-queries.ts';
import { FIELD, hasRole, PATROL_READ } from '../shared/roles.ts';
import { stageDue, todoFor } from './todo.ts';

/**
 * At most this many pages of open work on a phone: a village's work fits; a township's office keeps the most
 * pressing.
 */
export const OFFLINE_PAGES_CAP = 50;

/**
 * The back-office pages of this staff member's open work, for the work app to keep on his phone: the lists he works
 * from (待办, tasks, and as his role has them revisits and night patrols), then each 交办 item of his to-do page and
 * each task not yet accepted, the nearest deadline first; at most OFFLINE_PAGES_CAP. Each list keeps its own scope
 * (a village officer's village, a department's items), as the pages themselves do.
 */
export function offlinePagesFor(db: Db, user: StaffUser, now: Date): string[] {
  const lists = ['/admin/todo', '/admin/tasks'];
  if (hasRole(user, FIELD)) lists.push('/admin/revisits');
  if (hasRole(user, PATROL_READ)) lists.push('/admin/patrols');
  // An item under review has no deadline of its own: after those that have one.
  const later = Number.MAX_SAFE_INTEGER;
  const items = todoFor(db, user, now).sections.flatMap((s) =>
    s.items.map((i) => ({ path: `/admin/assignments/${i.id}`, due: stageDue(i)?.getTime() ?? later })),
  );
  const tasks = listTasks(db, user, { status: 'active' }, now).map((t) => ({
    path: `/admin/tasks/${t.id}`,
    due: t.dueAt.getTime(),
  }));
  const pages = [...items, ...tasks].sort((a, b) => a.due - b.due).map((p) => p.path);
  return [...lists, ...pages].slice(0, OFFLINE_PAGES_CAP);
}
