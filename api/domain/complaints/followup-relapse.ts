import { eq } from 'drizzle-orm';
import type { Db, Tx } from '../../../db/client.ts';
import { complaintCategories, complaintContacts, complaints } from '../../../db/schema.ts';
import { complaintFollowups } from '../../../db/schema-reporter.ts';
import type { AppContext } from '../../context.ts';
import { notify } from '../accounts/notifications.ts';
import { officeOfComplaint } from './office-audience.ts';
import { DAY_MS, fmtTime } from '../shared/time.ts';
import { insertFiling, type FilingJob } from './filing-sql.ts';
import {
  atomic,
  byId,
  DONE,
  event,
  flag,
  insertPhotos,
  lastResolvedAt,
  linkedRelapse,
  photoRow,
  recordAudit,
  refuse,
  roomFor,
  withPhotos,
  type Refusal,
  type Row,
} from './followup-store.ts';
import { DUPLICATE_RULE } from './neighbours.ts';
import { newTrackingCode } from './tracking-code.ts';
import { nextStatus, OPEN_STATUSES } from './workflow.ts';

// 又开工了 / 还没解决 within RELAPSE_REPORT_DAYS of the last resolution: a resolved complaint reopens, an archived one
// has a new report filed in its place (decision 020).

/** Resolved or archived, and still within RELAPSE_REPORT_DAYS of the resolution. */
export function relapseRefusal(db: Db | Tx, ctx: AppContext, row: Row, now: Date): Refusal | null {
  if (OPEN_STATUSES.includes(row.status))
    return refuse(400, { body: '这条举报还在办理中，请用“补充材料”告诉我们新的情况' });
  if (!DONE.includes(row.status))
    return refuse(400, { body: '这条举报未予受理或已合并到其他举报；如作坊在生产，请重新举报' });
  const resolved = lastResolvedAt(db, row);
  const days = ctx.env.RELAPSE_REPORT_DAYS;
  if (now.getTime() > resolved.getTime() + days * DAY_MS)
    return refuse(
      400,
      { body: `这条举报办结于 ${fmtTime(resolved)}，已超过办结后 ${days} 天的反馈期限。如作坊又开工了，请重新举报。` },
      { offerNewReport: true },
    );
  if (row.status === 'closed' && linkedRelapse(db, row.id))
    return refuse(409, { body: '您已就这条举报反映过“又开工了”，已另立新举报办理，请用当时显示的新查询码查看进度' });
  return null;
}

const RELAPSE_NOTE = '举报人反映问题再次出现（又开工了）';

/** A resolved complaint reopens: the `reopen` transition with no staff member behind it, back to the office. */
export function reopen(ctx: AppContext, row: Row, body: string, photos: Buffer[]) {
  const early = roomFor(ctx.db, row.id, photos.length, ctx.env.MAX_PHOTOS);
  if (early) return Promise.resolve(early);
  return withPhotos(ctx, photos, (files) =>
    atomic(ctx.db, (tx) => {
      const now = ctx.clock();
      const fresh = byId(tx, row.id);
      const to = nextStatus('reopen', fresh.status);
      // Archived meanwhile: the reporter's next try files the linked report instead.
      if (fresh.status !== 'resolved' || !to) return refuse(409, { body: '这条举报的状态刚刚变了，请刷新后再试' });
      const again = relapseRefusal(tx, ctx, fresh, now) ?? roomFor(tx, row.id, files.length, ctx.env.MAX_PHOTOS);
      if (again) return again;
      const f = tx
        .insert(complaintFollowups)
        .values({ complaintId: row.id, kind: 'relapse', body, createdAt: now })
        .returning({ id: complaintFollowups.id })
        .get();
      insertPhotos(tx, row.id, f.id, files);
      flag(tx, fresh, 'relapse', now, {
        status: to,
        dueAt: new Date(now.getTime() + ctx.env.FINISH_DAYS * DAY_MS),
        ...(files.length && { hasPhotos: true }),
      });
      event(tx, fresh, 'reopen', to, `${RELAPSE_NOTE}，已重新办理`, now);
      recordAudit(
        tx,
        'followup_relapse',
        row.id,
        { followupId: f.id, from: fresh.status, to, photos: files.length },
        now,
      );
      notify(
        tx,
        officeOfComplaint(tx, row.id),
        {
          kind: 'reporter',
          text: `举报 #${row.id} 的举报人反映又开工了，已重新打开，请重新交办`,
          link: `/admin/complaints/${row.id}`,
          dedupeKey: `followup:${f.id}`,
        },
        now,
      );
      return { ok: true as const, kind: 'relapse' as const, reopened: true as const };
    }),
  );
}

/**
 * An archived complaint stays archived: a new report is filed in its place (village, point and category), with
 * the reporter's words as its description and the same contact, linked by relapse_of_id (decision 020).
 */
export function fileLinked(ctx: AppContext, row: Row, body: string, photos: Buffer[], source: 'web' | 'form') {
  const category = ctx.db
    .select({ code: complaintCategories.code, active: complaintCategories.active })
    .from(complaintCategories)
    .where(eq(complaintCategories.id, row.categoryId))
    .get();
  if (!category?.active) return Promise.resolve(refuse(400, { body: '原举报的问题类别已停用，请重新举报' }));
  return withPhotos(ctx, photos, (files) =>
    atomic(ctx.db, (tx) => {
      const now = ctx.clock();
      const fresh = byId(tx, row.id);
      const again = relapseRefusal(tx, ctx, fresh, now);
      if (again) return again;
      const trackingCode = newTrackingCode();
      const job: FilingJob = {
        complaint: {
          trackingCode,
          townshipId: fresh.townshipId,
          villageId: fresh.villageId,
          outsideVillages: fresh.outsideVillages,
          categoryCode: category.code,
          lat: fresh.lat,
          lng: fresh.lng,
          address: fresh.address,
          description: body,
          seenAtMs: null,
          source,
          idempotencyKey: null,
          createdAtMs: now.getTime(),
          dueAtMs: now.getTime() + ctx.env.ACCEPT_DAYS * DAY_MS,
          hasPhotos: files.length > 0,
          needsLocation: fresh.needsLocation,
        },
        contact: null, // copied whole below (e-mail and opt-in too)
        photos: files.map((f, seq) => ({ ...photoRow(f, seq), exifTakenAtMs: f.exif?.takenAt?.getTime() ?? null })),
        apiKeyId: null,
        duplicateSinceMs: now.getTime() - DUPLICATE_RULE.days * DAY_MS,
      };
      // The filing's own SQL (filing-sql.ts), on this connection: in this transaction, with the rest.
      const filed = insertFiling(ctx.db.$client, job);
      if (!('id' in filed)) return refuse(400, { body: '原举报的问题类别已停用，请重新举报' });
      const contact = tx.select().from(complaintContacts).where(eq(complaintContacts.complaintId, row.id)).get();
      if (contact) {
        const { complaintId: _, createdAt: __, ...rest } = contact;
        tx.insert(complaintContacts)
          .values({ ...rest, complaintId: filed.id })
          .run();
      }
      tx.update(complaints)
        .set({ relapseOfId: row.id, reporterAlert: 'relapse', reporterAlertAt: now })
        .where(eq(complaints.id, filed.id))
        .run();
      const f = tx
        .insert(complaintFollowups)
        .values({ complaintId: row.id, kind: 'relapse', body, linkedComplaintId: filed.id, createdAt: now })
        .returning({ id: complaintFollowups.id })
        .get();
      event(tx, fresh, 'followup_relapse', fresh.status, `${RELAPSE_NOTE}，已另立新举报办理`, now);
      recordAudit(tx, 'followup_relapse', row.id, { followupId: f.id, filed: filed.id, photos: files.length }, now);
      notify(
        tx,
        officeOfComplaint(tx, filed.id),
        {
          kind: 'reporter',
          text: `新举报 #${filed.id}：已归档举报 #${row.id} 的举报人反映又开工了`,
          link: `/admin/complaints/${filed.id}`,
          dedupeKey: `followup:${f.id}`,
        },
        now,
      );
      return { ok: true as const, kind: 'relapse_filed' as const, trackingCode };
    }),
  );
}
