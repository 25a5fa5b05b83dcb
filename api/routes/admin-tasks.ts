import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { TASK_STATUSES } from '../../db/schema-enforcement.ts';
import type { AppContext } from '../context.ts';
import { enforcementConfig, evidenceRules, maxReportBodyBytes } from '../env.ts';
import { jsonBody } from '../http/body.ts';
import { fieldWorkForm, fieldWorkSpec } from '../http/field-work-body.ts';
import { ApiError } from '../http/errors.ts';
import type { FormSpec } from '../domain/shared/form-spec.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { applyTaskAction } from '../domain/enforcement/task-actions.ts';
import { reportPixelCheck } from '../domain/shared/photos/pipeline.ts';
import { addEvidence, evidenceFields, evidenceFile } from '../domain/enforcement/task-evidence.ts';
import { getTask, listTasks } from '../domain/enforcement/task-queries.ts';
import { taskActionInput, taskCreateInput } from '../domain/enforcement/task-workflow.ts';
import { createTask } from '../domain/enforcement/tasks.ts';
import { recordId } from '../domain/shared/text-input.ts';

const idParam = z.object({ id: recordId('任务') });
const itemParam = idParam.extend({ itemId: recordId('检查项') });
const evidenceParam = idParam.extend({
  evidenceId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/),
  size: z.enum(['display', 'thumb']),
});
const notFound = () => new ApiError(404, '任务不存在或无权查看');
const EVIDENCE_LABELS: Record<string, string> = {
  note: '现场说明',
  lat: '手机定位的纬度',
  lng: '手机定位的经度',
  photos: '照片',
};
const orNotFound = (r: { success: boolean }) => {
  if (!r.success) throw notFound();
};
export const taskQuery = z.object({
  status: z
    .enum([...TASK_STATUSES, 'active'])
    .optional()
    .catch(undefined),
  villageId: recordId('村（社区）').optional().catch(undefined),
  townshipId: recordId('乡镇（街道）').optional().catch(undefined),
  overdue: z
    .enum(['1'])
    .optional()
    .catch(undefined)
    .transform((v) => v === '1'),
});

/** Enforcement tasks: the office opens and accepts them, the village does them. Policy: api/http/policy.ts. */
export function adminTaskRoutes(ctx: AppContext) {
  const cfg = enforcementConfig(ctx.env);
  const rules = evidenceRules(ctx.env);
  const evidenceForm: FormSpec = fieldWorkSpec({
    fields: new Set(['note', 'lat', 'lng']),
    files: new Set(['photos']),
    label: (name) => EVIDENCE_LABELS[name] ?? name,
    maxFields: 4, // and an empty photo input sent as text
    maxFieldBytes: 16 * 1024,
    maxFiles: ctx.formLimits.maxPhotos,
    maxFileBytes: ctx.photoLimits.maxBytes,
    maxBytes: maxReportBodyBytes(ctx.env),
    fileHead: () => reportPixelCheck(ctx.photoLimits),
  });
  return new Hono<StaffEnv>()
    .get('/tasks', (c) => c.json({ rows: listTasks(ctx.db, staff(c), taskQuery.parse(c.req.query()), ctx.clock()) }))
    .post('/tasks', async (c) => {
      const input = await jsonBody(c, taskCreateInput);
      const r = orThrow(
        createTask(ctx.db, staff(c), input, cfg, ctx.clock(), input.complaintIds.length ? 'complaint' : 'survey'),
      );
      return c.json({ id: r.id }, 201);
    })
    .get('/tasks/:id', zValidator('param', idParam, orNotFound), (c) => {
      const task = getTask(ctx.db, staff(c), c.req.valid('param').id, ctx.clock(), rules);
      if (!task) throw notFound();
      return c.json(task);
    })
    .post('/tasks/:id/actions', zValidator('param', idParam, orNotFound), async (c) => {
      const input = await jsonBody(c, taskActionInput);
      return c.json(orThrow(applyTaskAction(ctx.db, staff(c), c.req.valid('param').id, input, cfg, ctx.clock())));
    })
    .post('/tasks/:id/items/:itemId/evidence', zValidator('param', itemParam, orNotFound), async (c) => {
      const { id, itemId } = c.req.valid('param');
      const form = await fieldWorkForm(c, evidenceForm, ctx.clock());
      const photos = form.photos.map((f) => f.data);
      const parsed = evidenceFields.safeParse(form.fields);
      if (!parsed.success) throw new ApiError(400, parsed.error.issues[0]!.message);
      const r = await addEvidence(ctx, staff(c), id, itemId, parsed.data, photos, ctx.clock(), form.sent);
      return c.json(orThrow(r), 201);
    })
    .get('/tasks/:id/evidence/:evidenceId/:size', zValidator('param', evidenceParam, orNotFound), async (c) => {
      const { id, evidenceId, size } = c.req.valid('param');
      const file = evidenceFile(ctx.db, staff(c), id, evidenceId, size);
      if (!file) throw notFound();
      return c.body(new Uint8Array(await ctx.photos.read(file)), 200, {
        'Content-Type': 'image/webp',
        'Cache-Control': 'private, no-store',
      });
    });
}
