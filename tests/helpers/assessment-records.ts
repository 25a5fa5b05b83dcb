import { eq } from 'drizzle-orm';
import type { AppContext } from '../../api/context.ts';
import { newTrackingCode } from '../../api/domain/complaints/tracking-code.ts';
import { BEIJING_OFFSET_MS } from '../../api/domain/shared/time.ts';
import { complaintCategories, complaintEvents, complaints, departments, villages } from '../../db/schema.ts';
import { enterprises, revisits } from '../../db/schema-enforcement.ts';
import { complaintFollowups, type Rating } from '../../db/schema-reporter.ts';
import { assignmentEvents, assignments, type AssignmentStatus } from '../../db/schema-supervision.ts';

/** "2027-01-05 12:00" on the Beijing clock. */
export const bj = (s: string) => new Date(Date.parse(`${s.replace(' ', 'T')}:00Z`) - BEIJING_OFFSET_MS);

/**
 * The records a scorecard reads, written as the product writes them (work items with their deadlines and times,
 * urges, reopen events, ratings, 回头看), so a test states each one and the score it expects by hand.
 */
export function assessmentRecords(ctx: AppContext) {
  const { db } = ctx;
  const village = (code: string) => db.select().from(villages).where(eq(villages.code, code)).get()!;
  const department = (code: string) => db.select().from(departments).where(eq(departments.code, code)).get()!;
  const category = db.select({ id: complaintCategories.id }).from(complaintCategories).get()!.id;

  function complaint(villageCode: string, at: Date, status: 'assigned' | 'resolved' = 'assigned') {
    const v = village(villageCode);
    return db
      .insert(complaints)
      .values({
        trackingCode: newTrackingCode(),
        townshipId: v.townshipId,
        villageId: v.id,
        categoryId: category,
        lat: 30,
        lng: 120,
        description: '考核测试举报',
        status,
        dueAt: new Date(at.getTime() + 15 * 86_400_000),
        source: 'seed',
        createdAt: at,
        updatedAt: at,
      })
      .returning({ id: complaints.id })
      .get().id;
  }

  function item(
    villageCode: string,
    o: {
      departmentCode?: string;
      ackDue: string;
      answerDue: string;
      acked?: string;
      answered?: string;
      status: AssignmentStatus;
      updated?: string;
    },
  ) {
    const complaintId = complaint(villageCode, bj(`${o.ackDue.slice(0, 10)} 08:00`));
    return db
      .insert(assignments)
      .values({
        complaintId,
        villageId: village(villageCode).id,
        departmentId: o.departmentCode ? department(o.departmentCode).id : null,
        status: o.status,
        ackDueAt: bj(o.ackDue),
        answerDueAt: bj(o.answerDue),
        acknowledgedAt: o.acked ? bj(o.acked) : null,
        answeredAt: o.answered ? bj(o.answered) : null,
        updatedAt: bj(o.updated ?? o.answered ?? o.acked ?? o.ackDue),
      })
      .returning({ id: assignments.id })
      .get().id;
  }

  const urge = (assignmentId: number, at: string) =>
    db
      .insert(assignmentEvents)
      .values({ assignmentId, action: 'urge', fromStatus: 'pending', toStatus: 'pending', note: '请尽快', at: bj(at) })
      .run();

  const reopen = (complaintId: number, at: string, from: 'resolved' | 'rejected' = 'resolved') =>
    db
      .insert(complaintEvents)
      .values({
        complaintId,
        action: 'reopen',
        fromStatus: from,
        toStatus: from === 'resolved' ? 'accepted' : 'submitted',
        at: bj(at),
      })
      .run();

  const rate = (complaintId: number, rating: Rating, at: string) =>
    db
      .insert(complaintFollowups)
      .values({ complaintId, kind: 'rating', rating, createdAt: bj(at) })
      .run();

  function revisit(villageCode: string, outcome: 'fine' | 'relapsed' | 'resumed', done: string) {
    const v = village(villageCode);
    const enterpriseId = db
      .insert(enterprises)
      .values({ townshipId: v.townshipId, villageId: v.id, name: `考核测试作坊${done}${outcome}`, updatedAt: bj(done) })
      .returning({ id: enterprises.id })
      .get().id;
    return db
      .insert(revisits)
      .values({ enterpriseId, villageId: v.id, dueAt: bj(done), status: 'done', outcome, doneAt: bj(done) })
      .returning({ id: revisits.id })
      .get().id;
  }

  return { village, department, complaint, item, urge, reopen, rate, revisit };
}
