import { and, desc, eq, gte, isNull, lt, ne, or, sql } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaints, villages } from '../../../db/schema.ts';
import { complaintFollowups, RATINGS, type Rating } from '../../../db/schema-reporter.ts';
import type { AppContext } from '../../context.ts';
import { notify } from '../accounts/notifications.ts';
import { officeOfComplaint } from './office-audience.ts';
import { BEIJING_OFFSET_MS, DAY_MS } from '../shared/time.ts';
import { RATING_LABELS } from './followup-kinds.ts';
import type { FollowupInput, ParsedFollowup } from './followup-input.ts';
import { fileLinked, relapseRefusal, reopen } from './followup-relapse.ts';
import {
  atomic,
  byCode,
  byId,
  DONE,
  event,
  flag,
  type FollowupResult,
  insertPhotos,
  lastResolvedAt,
  linkedRelapse,
  NOT_FOUND,
  recordAudit,
  refuse,
  type Refusal,
  roomFor,
  type Row,
  withPhotos,
} from './followup-store.ts';
import { OPEN_STATUSES } from './workflow.ts';

// 补充材料, 又开工了 and 满意度: what the holder of a tracking code may send back, and the office's flag on it.

export type { FollowupResult } from './followup-store.ts';

/** Counted against the same per-address limit as filing a report (REPORT_RATE_LIMIT), before the body is read. */
export function countFollowupAttempt(ctx: AppContext, ip: string): Refusal | null {
  const r = ctx.reportLimiter.hit(ip);
  if (r.ok) return null;
  return refuse(
    429,
    { body: `提交过于频繁，请 ${Math.ceil(r.retryAfterS / 60)} 分钟后再试` },
    { retryAfterS: r.retryAfterS },
  );
}

/** The rating given since the last resolution, if any: one per resolution. */
function ratingSince(db: Db | Tx, id: number, since: Date): Rating | null {
  return (
    db
      .select({ rating: complaintFollowups.rating })
      .from(complaintFollowups)
      .where(
        and(
          eq(complaintFollowups.complaintId, id),
          eq(complaintFollowups.kind, 'rating'),
          gte(complaintFollowups.createdAt, since),
        ),
      )
      .orderBy(desc(complaintFollowups.id))
      .get()?.rating ?? null
  );
}

/** What the /track page offers the holder of a code, and why not the rest. */
export interface FollowupOffer {
  info: boolean;
  /** Resolved or archived: 又开工了 until `until`; `expired` once past it. */
  relapse: { until: Date; expired: boolean; alreadyFiled: boolean; archived: boolean } | null;
  /** Resolved or archived: the rating given for this resolution, or null (the form is offered). */
  rating: { given: Rating | null } | null;
}

export function followupOffer(db: Db, relapseDays: number, code: string, now: Date): FollowupOffer | null {
  const row = byCode(db, code);
  if (!row) return null;
  if (!DONE.includes(row.status)) return { info: OPEN_STATUSES.includes(row.status), relapse: null, rating: null };
  const resolved = lastResolvedAt(db, row);
  const until = new Date(resolved.getTime() + relapseDays * DAY_MS);
  return {
    info: false,
    relapse: {
      until,
      expired: now > until,
      alreadyFiled: row.status === 'closed' && !!linkedRelapse(db, row.id),
      archived: row.status === 'closed',
    },
    rating: { given: ratingSince(db, row.id, resolved) },
  };
}

/** Follow-ups the office has yet to look at: never a plain 满意/基本满意. */
const awaitingReview = (id: number) =>
  and(
    isNull(complaintFollowups.reviewedAt),
    or(eq(complaintFollowups.complaintId, id), eq(complaintFollowups.linkedComplaintId, id)),
    or(ne(complaintFollowups.kind, 'rating'), eq(complaintFollowups.rating, 'unsatisfied')),
  );

export function pendingFollowupIds(db: Db | Tx, complaintId: number): number[] {
  return db
    .select({ id: complaintFollowups.id })
    .from(complaintFollowups)
    .where(awaitingReview(complaintId))
    .all()
    .map((r) => r.id);
}

/**
 * The office has dealt with what the reporter sent: the follow-ups waiting for it are marked reviewed with the note.
 * Called by the explicit review and by any staff action that changes the complaint's status (actions.ts); the
 * caller clears `reporter_alert` in its own update and audits. Returns the follow-ups marked.
 */
export function settleFollowups(tx: Db | Tx, complaintId: number, userId: number, note: string, now: Date): number[] {
  const ids = pendingFollowupIds(tx, complaintId);
  if (ids.length)
    tx.update(complaintFollowups)
      .set({ reviewedAt: now, reviewedBy: userId, reviewNote: note })
      .where(awaitingReview(complaintId))
      .run();
  return ids;
}

const notOpen = (row: Row): Refusal | null => {
  if (OPEN_STATUSES.includes(row.status)) return null;
  if (DONE.includes(row.status))
    return refuse(400, { body: '这条举报已办结，不能再补充材料；如作坊又开工了，请用下面的“又开工了”告诉我们' });
  return refuse(400, { body: '这条举报未予受理或已合并到其他举报，不能补充材料；如问题仍在，请重新举报' });
};

function addInfo(ctx: AppContext, row: Row, input: Extract<FollowupInput, { kind: 'info' }>, photos: Buffer[]) {
  const early = notOpen(row) ?? roomFor(ctx.db, row.id, photos.length, ctx.env.MAX_PHOTOS);
  if (early) return Promise.resolve(early);
  return withPhotos(ctx, photos, (files) =>
    atomic(ctx.db, (tx) => {
      const now = ctx.clock();
      const fresh = byId(tx, row.id);
      const again = notOpen(fresh) ?? roomFor(tx, row.id, files.length, ctx.env.MAX_PHOTOS);
      if (again) return again;
      const f = tx
        .insert(complaintFollowups)
        .values({ complaintId: row.id, kind: 'info', body: input.body ?? '', createdAt: now })
        .returning({ id: complaintFollowups.id })
        .get();
      insertPhotos(tx, row.id, f.id, files);
      flag(tx, fresh, 'info', now, files.length ? { hasPhotos: true } : {});
      const what = [input.body && '说明', files.length && ` ${files.length} 张照片`].filter(Boolean).join('和');
      event(tx, fresh, 'followup_info', fresh.status, `举报人补充了${what}，已转整治办`, now);
      recordAudit(tx, 'followup_info', row.id, { followupId: f.id, photos: files.length }, now);
      return { ok: true as const, kind: 'info' as const, photos: files.length };
    }),
  );
}

function rate(ctx: AppContext, row: Row, input: Extract<FollowupInput, { kind: 'rating' }>) {
  return atomic(ctx.db, (tx) => {
    const now = ctx.clock();
    const fresh = byId(tx, row.id);
    if (!DONE.includes(fresh.status)) return refuse(400, { rating: '举报办结后才能评价' });
    if (ratingSince(tx, row.id, lastResolvedAt(tx, fresh)))
      return refuse(409, { rating: '这次办结您已经评价过了，谢谢' });
    const f = tx
      .insert(complaintFollowups)
      .values({
        complaintId: row.id,
        kind: 'rating',
        rating: input.rating,
        body: input.comment ?? '',
        createdAt: now,
      })
      .returning({ id: complaintFollowups.id })
      .get();
    const unsatisfied = input.rating === 'unsatisfied';
    // 不满意 goes back to the office for review; it does not reopen by itself (decision 020).
    if (unsatisfied) flag(tx, fresh, 'unsatisfied', now);
    event(tx, fresh, 'followup_rating', fresh.status, `举报人评价：${RATING_LABELS[input.rating]}`, now);
    recordAudit(tx, 'followup_rating', row.id, { followupId: f.id, rating: input.rating }, now);
    if (unsatisfied)
      notify(
        tx,
        officeOfComplaint(tx, row.id),
        {
          kind: 'reporter',
          text: `举报 #${row.id} 的举报人对办理结果不满意，请复核`,
          link: `/admin/complaints/${row.id}`,
          dedupeKey: `followup:${f.id}`,
        },
        now,
      );
    return { ok: true as const, kind: 'rating' as const, rating: input.rating };
  });
}

/**
 * The one path a follow-up takes after its form is read (the /track page or the API), the attempt already counted.
 * A code that matches nothing answers exactly as /track does: not found, nothing more.
 */
export async function submitFollowup(
  ctx: AppContext,
  parsed: ParsedFollowup,
  source: 'web' | 'form',
): Promise<FollowupResult> {
  if (!parsed.ok) return refuse(parsed.status, parsed.errors);
  const { input, photos } = parsed;
  const row = byCode(ctx.db, input.code);
  if (!row) return refuse(404, { code: NOT_FOUND });
  switch (input.kind) {
    case 'info':
      return addInfo(ctx, row, input, photos);
    case 'relapse': {
      const early = relapseRefusal(ctx.db, ctx, row, ctx.clock());
      if (early) return early;
      return row.status === 'resolved'
        ? reopen(ctx, row, input.body, photos)
        : fileLinked(ctx, row, input.body, photos, source);
    }
    case 'rating':
      return rate(ctx, row, input);
  }
}

export interface SatisfactionRow {
  /** The village's name ('未落入任何村' for none), or the month 'YYYY-MM' in Beijing time. */
  key: string;
  satisfied: number;
  basically: number;
  unsatisfied: number;
  total: number;
  /** (满意 + 基本满意) / total, or null with no rating. */
  rate: number | null;
}

/**
 * Reporters' ratings given in [from, to), by village or by month: each resolution rated counts once. For the
 * county's assessment of the township (issue 14, not built yet: nothing calls this but its tests).
 */
export function satisfactionBy(db: Db, q: { from: Date; to: Date; groupBy: 'village' | 'month' }): SatisfactionRow[] {
  const key =
    q.groupBy === 'village'
      ? sql<string>`coalesce(${villages.name}, '未落入任何村')`
      : sql<string>`strftime('%Y-%m', (${complaintFollowups.createdAt} + ${BEIJING_OFFSET_MS}) / 1000, 'unixepoch')`;
  const n = (r: Rating) => sql<number>`sum(${complaintFollowups.rating} = ${r})`;
  const rows = db
    .select({ key, satisfied: n('satisfied'), basically: n('basically'), unsatisfied: n('unsatisfied') })
    .from(complaintFollowups)
    .innerJoin(complaints, eq(complaints.id, complaintFollowups.complaintId))
    .leftJoin(villages, eq(villages.id, complaints.villageId))
    .where(
      and(
        eq(complaintFollowups.kind, 'rating'),
        gte(complaintFollowups.createdAt, q.from),
        lt(complaintFollowups.createdAt, q.to),
      ),
    )
    .groupBy(key)
    .orderBy(key)
    .all();
  return rows.map((r) => {
    const counts = Object.fromEntries(RATINGS.map((k) => [k, Number(r[k] ?? 0)])) as Record<Rating, number>;
    const total = counts.satisfied + counts.basically + counts.unsatisfied;
    return { key: r.key, ...counts, total, rate: total ? (counts.satisfied + counts.basically) / total : null };
  });
}
