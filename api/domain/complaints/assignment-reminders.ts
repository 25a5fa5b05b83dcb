import { and, between, eq, inArray, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { assignments } from '../../../db/schema-supervision.ts';
import { notify } from '../accounts/notifications.ts';
import { beijingDate, DAY_MS, endOfBeijingDay, fmtTime, startOfBeijingDay } from '../shared/time.ts';

type Stage = 'ack' | 'answer';
const STAGE_WORDS: Record<Stage, string> = { ack: '签收', answer: '反馈' };
/**
 * How long after its deadline an item is still reminded of: the sweep runs every few minutes, so each was told
 * when it fell due (this much covers a server down over a weekend). Older ones stay on the to-do pages' 已超期
 * list, and the sweep reads only the items near their deadline, not every late item of the county.
 */
const OVERDUE_LOOKBACK_MS = 3 * DAY_MS;

/**
 * Reminds the responsible accounts of items whose 签收 or 反馈 falls due tomorrow, and of items overdue.
 * Each reminder has a key per item and stage, so the sweep can run as often as it likes: it notifies once.
 */
export function sendReminders(db: Db, now: Date): { dueSoon: number; overdue: number } {
  const tomorrow = beijingDate(new Date(now.getTime() + DAY_MS));
  const [from, to] = [startOfBeijingDay(tomorrow), endOfBeijingDay(tomorrow)];
  const since = new Date(now.getTime() - OVERDUE_LOOKBACK_MS);
  const tally = { dueSoon: 0, overdue: 0 };
  db.transaction((tx) => {
    const open = tx
      .select()
      .from(assignments)
      .where(
        and(
          inArray(assignments.status, ['pending', 'checking']),
          // Inclusive: a 签收 limit is the very end of a working day, the last instant of "tomorrow" itself.
          or(
            and(eq(assignments.status, 'pending'), between(assignments.ackDueAt, since, to)),
            between(assignments.answerDueAt, since, to),
          ),
        ),
      )
      .all();
    for (const item of open) {
      const stages: [Stage, Date][] = [['answer', item.answerDueAt]];
      if (item.status === 'pending') stages.unshift(['ack', item.ackDueAt]);
      for (const [stage, due] of stages) {
        const overdue = due < now;
        if (overdue ? due < since : !(due >= from && due <= to)) continue;
        const n = notify(
          tx,
          item.departmentId == null ? { villageId: item.villageId } : { departmentId: item.departmentId },
          {
            kind: overdue ? 'overdue' : 'due_soon',
            text: overdue
              ? `已超期：举报 #${item.complaintId} 应于 ${fmtTime(due)} 前${STAGE_WORDS[stage]}`
              : `明天到期：举报 #${item.complaintId} 请于 ${fmtTime(due)} 前${STAGE_WORDS[stage]}`,
            link: `/admin/assignments/${item.id}`,
            dedupeKey: `${overdue ? 'overdue' : 'due_soon'}:${stage}:${item.id}:${due.getTime()}`,
          },
          now,
        );
        if (n > 0) tally[overdue ? 'overdue' : 'dueSoon']++;
      }
    }
  });
  return tally;
}
