import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { evidenceRules, maxReportBodyBytes } from '../env.ts';
import { ApiError } from '../http/errors.ts';
import { fieldWorkBody, fieldWorkSpec, parsedOr400 } from '../http/field-work-body.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import type { FormSpec, UploadedFile } from '../domain/shared/form-spec.ts';
import type { PhotoMeta } from '../domain/shared/field-submission.ts';
import { reportPixelCheck } from '../domain/shared/photos/pipeline.ts';
import {
  createPatrol,
  getPatrol,
  listPatrols,
  MAX_FINDINGS,
  patrolInput,
  patrolPhotoFile,
  patrolQuery,
} from '../domain/enforcement/patrols.ts';
import { recordId } from '../domain/shared/text-input.ts';

const NO_PATROL = '夜查记录不存在或无权查看';
const idParam = z.object({ id: recordId('记录') });
const photoParam = idParam.extend({
  findingId: recordId('发现'),
  photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/),
  size: z.enum(['display', 'thumb']),
});
const notFound = (r: { success: boolean }) => {
  if (!r.success) throw new ApiError(404, NO_PATROL);
};

const TOP_LABELS: Record<string, string> = {
  startedAt: '开始时间',
  endedAt: '结束时间',
  area: '巡查区域',
  villageId: '村（社区）',
  participantIds: '参加人员',
  summary: '情况小结',
  lat: '手机定位的纬度',
  lng: '手机定位的经度',
};
const FINDING_LABELS: Record<string, string> = {
  enterpriseId: '涉及企业',
  complaintId: '关联举报',
  note: '发现情况',
  photos: '照片',
};
// A finding's fields as the form names them: findings.0.note, findings.0.photos …
const FINDING_FIELD = /^findings\.(\d{1,2})\.(enterpriseId|complaintId|note|photos)$/;
const findingNames = (part: string) => Array.from({ length: MAX_FINDINGS }, (_, i) => `findings.${i}.${part}`);

function label(name: string) {
  const m = FINDING_FIELD.exec(name);
  return m ? `第 ${Number(m[1]) + 1} 条发现的${FINDING_LABELS[m[2]!]}` : (TOP_LABELS[name] ?? name);
}

/** Which finding a problem is in, as the patrol's own checks say it. */
const inFinding = (path: PropertyKey[]) =>
  path[0] === 'findings' && typeof path[1] === 'number' ? `第 ${path[1] + 1} 条发现：` : '';

/**
 * A streamed form's flat fields as the patrol's shape, and each finding's photos in the findings' order, with their
 * photoMeta (sent in the order of the form's files) in that order too.
 */
function patrolFromForm(fields: Record<string, unknown>, files: UploadedFile[], meta: PhotoMeta[] | undefined) {
  const top: Record<string, unknown> = {};
  const rows = new Map<number, Record<string, unknown>>();
  const photos = new Map<number, number[]>();
  for (const [name, value] of Object.entries(fields)) {
    const m = FINDING_FIELD.exec(name);
    if (!m) top[name] = value;
    else rows.set(Number(m[1]), { ...rows.get(Number(m[1])), [m[2]!]: value });
  }
  for (const [at, f] of files.entries()) {
    const i = Number(FINDING_FIELD.exec(f.field)![1]);
    photos.set(i, [...(photos.get(i) ?? []), at]);
  }
  if (!rows.size && !photos.size) return { input: top, photos: [], meta };
  const order = [...new Set([...rows.keys(), ...photos.keys()])].sort((a, b) => a - b);
  const grouped = order.map((i) => photos.get(i) ?? []);
  return {
    input: { ...top, findings: order.map((i) => rows.get(i) ?? {}) },
    photos: grouped.map((g) => g.map((at) => files[at]!.data)),
    meta: meta && grouped.flat().map((at) => meta[at]!),
  };
}

/** 夜查 night patrols (seed 003), their participants' accounts and findings' photos. Policy: api/http/policy.ts. */
export function adminPatrolRoutes(ctx: AppContext) {
  const form: FormSpec = fieldWorkSpec({
    fields: new Set([
      ...Object.keys(TOP_LABELS),
      ...findingNames('enterpriseId'),
      ...findingNames('complaintId'),
      ...findingNames('note'),
    ]),
    files: new Set(findingNames('photos')),
    label,
    // and each finding's empty photo input sent as text
    maxFields: Object.keys(TOP_LABELS).length + 4 * MAX_FINDINGS,
    maxFieldBytes: 16 * 1024,
    maxFiles: ctx.formLimits.maxPhotos,
    maxFileBytes: ctx.photoLimits.maxBytes,
    maxBytes: maxReportBodyBytes(ctx.env),
    fileHead: () => reportPixelCheck(ctx.photoLimits),
  });
  return new Hono<StaffEnv>()
    .get('/patrols', (c) => c.json({ patrols: listPatrols(ctx.db, staff(c), patrolQuery.parse(c.req.query())) }))
    .post('/patrols', async (c) => {
      const body = await fieldWorkBody(c, form, ctx.clock());
      const { input, photos, meta } = patrolFromForm(body.fields, body.photos, body.sent.photoMeta);
      const patrol = parsedOr400(patrolInput(ctx.clock), input, inFinding);
      const sent = { ...body.sent, photoMeta: meta };
      const r = orThrow(await createPatrol(ctx, staff(c), patrol, photos, ctx.clock(), sent));
      return c.json({ id: r.id }, 201);
    })
    .get('/patrols/:id', zValidator('param', idParam, notFound), (c) => {
      const p = getPatrol(ctx.db, staff(c), c.req.valid('param').id, evidenceRules(ctx.env));
      if (!p) throw new ApiError(404, NO_PATROL);
      return c.json(p);
    })
    .get(
      '/patrols/:id/findings/:findingId/photos/:photoId/:size',
      zValidator('param', photoParam, notFound),
      async (c) => {
        const { id, findingId, photoId, size } = c.req.valid('param');
        const file = patrolPhotoFile(ctx.db, staff(c), id, findingId, photoId, size);
        if (!file) throw new ApiError(404, NO_PATROL);
        return c.body(new Uint8Array(await ctx.photos.read(file)), 200, {
          'Content-Type': 'image/webp',
          'Cache-Control': 'private, no-store',
        });
      },
    );
}
