import { and, asc, eq, isNotNull, or } from 'drizzle-orm';
import { z } from 'zod';
import type { Db } from '../../../db/client.ts';
import { complaintEvents, complaintPhotos, complaints, users } from '../../../db/schema.ts';
import { complaintFollowups, type FollowupKind, type Rating } from '../../../db/schema-reporter.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { notifyReporter } from '../messages/outbox.ts';
import { atomically, fail, type Result } from '../shared/result.ts';
import { isOffice } from '../shared/roles.ts';
import { freeText, optionalText, recordId } from '../shared/text-input.ts';
import { applyAction, type Limits } from './actions.ts';
import { ALERT_BADGES, type ReporterAlert } from './followup-kinds.ts';
import { pendingFollowupIds, settleFollowups } from './followups.ts';
import { visibleComplaint } from './scope.ts';

/** One follow-up as staff see it: the reporter's words and photos, never who he is or his code. */
export interface StaffFollowup {
  id: number;
  kind: FollowupKind;
  body: string;
  /** A rating's comment withheld from this viewer (only the office reads it). */
  commentHidden: boolean;
  rating: Rating | null;
  createdAt: Date;
  photos: { id: string; width: number; height: number }[];
  /**
   * 又开工了 on an archived complaint: the new one filed for it (on the old one's page), or the old one (on the new);
   * one this user may not open is only said to exist.
   */
  linked: { id: number | null; role: 'filed' | 'original' } | null;
  review: { at: Date; by: string | null; note: string | null } | null;
  /** Waiting for the office: part of the complaint's reporter alert. */
  pending: boolean;
}

/** The follow-ups of a complaint this user may see, oldest first, with a relapse filed from it or for it. */
export function staffFollowups(db: Db, user: StaffUser, id: number): StaffFollowup[] | null {
  if (!db.select({ id: complaints.id }).from(complaints).where(visibleComplaint(user, id)).get()) return null;
  const rows = db
    .select({ f: complaintFollowups, reviewer: users.displayName })
    .from(complaintFollowups)
    .leftJoin(users, eq(users.id, complaintFollowups.reviewedBy))
    .where(or(eq(complaintFollowups.complaintId, id), eq(complaintFollowups.linkedComplaintId, id)))
    .orderBy(asc(complaintFollowups.createdAt), asc(complaintFollowups.id))
    .all();
  const photos = rows.length
    ? db
        .select({
          followupId: complaintPhotos.followupId,
          id: complaintPhotos.id,
          width: complaintPhotos.width,
          height: complaintPhotos.height,
        })
        .from(complaintPhotos)
        .where(and(eq(complaintPhotos.complaintId, id), isNotNull(complaintPhotos.followupId)))
        .orderBy(asc(complaintPhotos.seq))
        .all()
    : [];
  const pending = new Set(pendingFollowupIds(db, id));
  const opens = (other: number) =>
    db.select({ id: complaints.id }).from(complaints).where(visibleComplaint(user, other)).get()?.id ?? null;
  const office = isOffice(user);
  return rows.map(({ f, reviewer }) => ({
    id: f.id,
    kind: f.kind,
    // A rating's comment judges the work, often the village's own: the office reviews it, the others see the rating.
    body: f.kind === 'rating' && !office ? '' : f.body,
    commentHidden: f.kind === 'rating' && !office && f.body !== '',
    rating: f.rating,
    createdAt: f.createdAt,
    photos: photos.filter((p) => p.followupId === f.id).map(({ followupId: _, ...p }) => p),
    linked:
      f.linkedComplaintId === null
        ? null
        : f.complaintId === id
          ? { id: opens(f.linkedComplaintId), role: 'filed' }
          : { id: opens(f.complaintId), role: 'original' },
    review: f.reviewedAt ? { at: f.reviewedAt, by: reviewer, note: f.reviewNote } : null,
    pending: pending.has(f.id),
  }));
}

export const REVIEW_DECISIONS = { read: '已阅，维持现状', reopen: '重新办理' } as const;

export const reviewInput = z.object({
  /** The newest follow-up the page showed: one that came in after it is not cleared unseen. */
  upTo: recordId('反馈', { required: '缺少反馈编号，请刷新页面', invalid: '缺少反馈编号，请刷新页面' }),
  decision: z.enum(['read', 'reopen'], { error: '请选择处理方式：已阅或重新办理' }),
  note: freeText('处理说明', { min: 2, max: 1000, required: '请填写处理说明', tooShort: '请填写处理说明' }),
  reply: optionalText('答复举报人', { max: 1000 }),
});
export type ReviewInput = z.infer<typeof reviewInput>;

/**
 * 已阅/处理: the office looks at what the reporter sent back and decides: read (for 不满意: keep the result), or
 * reopen the work (a resolved or archived complaint). Either clears the queue's flag, with a note, audited; a reply,
 * if given, is shown to the reporter on /track.
 */
export function reviewFollowups(
  db: Db,
  user: StaffUser,
  id: number,
  input: ReviewInput,
  limits: Limits,
  now: Date,
): Result<{ version: number; status: string }> {
  return atomically(db, (tx) => {
    const row = tx.select().from(complaints).where(visibleComplaint(user, id)).get();
    if (!row) return fail(404, '举报不存在或无权查看');
    const alert = row.reporterAlert as ReporterAlert | null;
    if (!alert) return fail(400, '这条举报没有待处理的举报人反馈');
    const pending = pendingFollowupIds(tx, id);
    if (pending.some((f) => f > input.upTo)) return fail(409, '举报人刚刚又有新的反馈，请刷新后再处理');
    const label = REVIEW_DECISIONS[input.decision];
    const settled = settleFollowups(tx, id, user.id, `${label}：${input.note}`, now);
    let version = row.version + 1;
    let status: string = row.status;
    if (input.decision === 'reopen') {
      if (row.status !== 'resolved' && row.status !== 'closed')
        return fail(400, '只有已办结或已归档的举报可以重新办理');
      // The transition itself, as the reopen action: its own event (with the reply), audit and new deadline.
      const r = applyAction(
        tx,
        user,
        id,
        { action: 'reopen', version: row.version, reason: input.note, reply: input.reply, note: undefined },
        limits,
        now,
      );
      if (!r.ok) return r;
      ({ version, status } = r);
    } else {
      tx.update(complaints)
        .set({ reporterAlert: null, reporterAlertAt: null, version, updatedBy: user.id, updatedAt: now })
        .where(eq(complaints.id, id))
        .run();
      tx.insert(complaintEvents)
        .values({
          complaintId: id,
          fromStatus: row.status,
          toStatus: row.status,
          action: 'followup_review',
          actorId: user.id,
          publicNote: input.reply ?? null,
          internalNote: `${ALERT_BADGES[alert]}：${label}。${input.note}`,
          at: now,
        })
        .run();
      // A reply is told to a reporter who opted in, as the reply action's is (actions.ts).
      if (input.reply) notifyReporter(tx, id, 'replied', {}, now);
    }
    audit(
      tx,
      { id: user.id, label: user.displayName },
      {
        action: 'complaint.followup_review',
        objectType: 'complaint',
        objectId: id,
        reason: input.note,
        details: { alert, decision: input.decision, followups: settled, replied: !!input.reply },
      },
      now,
    );
    return { ok: true, version, status };
  });
}
