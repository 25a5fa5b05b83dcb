import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { complaintLimits, evidenceRules, maxReportBodyBytes } from '../env.ts';
import { jsonBody } from '../http/body.ts';
import { fieldWorkForm, fieldWorkSpec } from '../http/field-work-body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { assignmentPhotoFile, getAssignment } from '../domain/complaints/assignment-queries.ts';
import { answerInput, assignmentActionInput, departmentActionInput } from '../domain/complaints/assignment-workflow.ts';
import { actOnAssignment, answerAssignment, recordDepartmentAction } from '../domain/complaints/assignments.ts';
import type { FormSpec } from '../domain/shared/form-spec.ts';
import { reportPixelCheck } from '../domain/shared/photos/pipeline.ts';
import { recordId } from '../domain/shared/text-input.ts';

const idParam = z.object({ id: recordId('交办事项') });
const photoParam = idParam.extend({
  photoId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/),
  size: z.enum(['display', 'thumb']),
});
const notFound = () => new ApiError(404, '交办事项不存在或无权查看');
const orNotFound = (r: { success: boolean }) => {
  if (!r.success) throw notFound();
};
const LABELS: Record<string, string> = {
  version: '版本号',
  outcome: '核查结果',
  finding: '核查情况',
  kind: '登记类型',
  documentNumber: '文号',
  actedOn: '日期',
  penaltyKind: '处罚种类',
  amountYuan: '金额',
  note: '说明',
  lat: '手机定位的纬度',
  lng: '手机定位的经度',
  photos: '照片',
};

/** 交办 work items: the village or department signs, checks and answers; the office reviews and urges. */
export function adminAssignmentRoutes(ctx: AppContext) {
  const limits = complaintLimits(ctx.env);
  const form = (fields: string[]): FormSpec =>
    fieldWorkSpec({
      fields: new Set(fields),
      files: new Set(['photos']),
      label: (name) => LABELS[name] ?? name,
      maxFields: fields.length + 1, // and an empty photo input sent as text
      maxFieldBytes: 16 * 1024,
      maxFiles: ctx.formLimits.maxPhotos,
      maxFileBytes: ctx.photoLimits.maxBytes,
      maxBytes: maxReportBodyBytes(ctx.env),
      fileHead: () => reportPixelCheck(ctx.photoLimits),
    });
  const answerForm = form(['version', 'outcome', 'finding', 'lat', 'lng']);
  const recordForm = form(['kind', 'documentNumber', 'actedOn', 'penaltyKind', 'amountYuan', 'note', 'lat', 'lng']);
  const read = async <S extends z.ZodType>(c: Parameters<typeof fieldWorkForm>[0], spec: FormSpec, schema: S) => {
    const body = await fieldWorkForm(c, spec, ctx.clock());
    const parsed = schema.safeParse(body.fields);
    if (!parsed.success) throw new ApiError(400, parsed.error.issues[0]!.message);
    return { input: parsed.data as z.infer<S>, photos: body.photos.map((f) => f.data), sent: body.sent };
  };
  return new Hono<StaffEnv>()
    .get('/assignments/:id', zValidator('param', idParam, orNotFound), (c) => {
      const found = getAssignment(ctx.db, staff(c), c.req.valid('param').id, evidenceRules(ctx.env));
      if (!found) throw notFound();
      return c.json(found);
    })
    .post('/assignments/:id/actions', zValidator('param', idParam, orNotFound), async (c) => {
      const input = await jsonBody(c, assignmentActionInput);
      return c.json(orThrow(actOnAssignment(ctx.db, staff(c), c.req.valid('param').id, input, limits, ctx.clock())));
    })
    .post('/assignments/:id/answer', zValidator('param', idParam, orNotFound), async (c) => {
      const { input, photos, sent } = await read(c, answerForm, answerInput);
      const r = await answerAssignment(ctx, staff(c), c.req.valid('param').id, input, photos, ctx.clock(), sent);
      return c.json(orThrow(r));
    })
    .post('/assignments/:id/records', zValidator('param', idParam, orNotFound), async (c) => {
      const { input, photos, sent } = await read(c, recordForm, departmentActionInput);
      const id = c.req.valid('param').id;
      const r = await recordDepartmentAction(ctx, staff(c), id, input, photos, ctx.clock(), sent);
      return c.json(orThrow(r), 201);
    })
    .get('/assignments/:id/photos/:photoId/:size', zValidator('param', photoParam, orNotFound), async (c) => {
      const { id, photoId, size } = c.req.valid('param');
      const file = assignmentPhotoFile(ctx.db, staff(c), id, photoId, size);
      if (!file) throw notFound();
      return c.body(new Uint8Array(await ctx.photos.read(file)), 200, {
        'Content-Type': 'image/webp',
        'Cache-Control': 'private, no-store',
      });
    });
}
