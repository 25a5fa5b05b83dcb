import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import { TASK_STATUSES } from '../../db/schema-enforcement.ts';
import type { AppContext } from '../context.ts';
import { enforcementConfig } from '../env.ts';
import { jsonBody } from '../http/body.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { applyTaskAction } from '../services/task-actions.ts';
import { addEvidence, evidenceFields, evidenceFile } from '../services/task-evidence.ts';
import { getTask, listTasks } from '../services/task-queries.ts';
import { taskActionInput, taskCreateInput } from '../services/task-workflow.ts';
import { createTask } from '../services/tasks.ts';

const idParam = z.object({ id: z.coerce.number().int().positive() });
const itemParam = idParam.extend({ itemId: z.coerce.number().int().positive() });
const evidenceParam = idParam.extend({ evidenceId: z.string().regex(/^[A-Za-z0-9_-]{10,40}$/), size: z.enum(['display', 'thumb']) });
const notFound = () => new ApiError(404, '任务不存在或无权查看');
const orNotFound = (r: { success: boolean }) => {
  if (!r.success) throw notFound();
};
export const taskQuery = z.object({
  status: z.enum([...TASK_STATUSES, 'active']).optional().catch(undefined),
  villageId: z.coerce.number().int().positive().optional().catch(undefined),
  overdue: z.enum(['1']).optional().catch(undefined).transform((v) => v === '1'),
});

/** Enforcement tasks: the office opens and accepts them, the village does them. Policy: api/http/policy.ts. */
export function adminTaskRoutes(ctx: AppContext) {
  const cfg = enforcementConfig(ctx.env);
  return new Hono<StaffEnv>()
    .get('/tasks', (c) => c.json({ rows: listTasks(ctx.db, staff(c), taskQuery.parse(c.req.query()), ctx.clock()) }))
    .post('/tasks', async (c) => {
      const input = await jsonBody(c, taskCreateInput);
      const r = orThrow(createTask(ctx.db, staff(c), input, cfg, ctx.clock(), input.complaintIds.length ? 'complaint' : 'survey'));
      return c.json({ id: r.id }, 201);
    })
    .get('/tasks/:id', zValidator('param', idParam, orNotFound), (c) => {
      const task = getTask(ctx.db, staff(c), c.req.valid('param').id, ctx.clock());
      if (!task) throw notFound();
      return c.json(task);
    })
    .post('/tasks/:id/actions', zValidator('param', idParam, orNotFound), async (c) => {
      const input = await jsonBody(c, taskActionInput);
      return c.json(orThrow(applyTaskAction(ctx.db, staff(c), c.req.valid('param').id, input, cfg, ctx.clock())));
    })
    .post('/tasks/:id/items/:itemId/evidence', zValidator('param', itemParam, orNotFound), async (c) => {
      const { id, itemId } = c.req.valid('param');
      const form = await c.req.formData().catch(() => {
        throw new ApiError(400, '请以表单方式上传照片');
      });
      const photos: Buffer[] = [];
      const fields: Record<string, string> = {};
      for (const [k, v] of form.entries()) {
        if (k === 'photos' && typeof v !== 'string') {
          if (v.size > ctx.photoLimits.maxBytes) throw new ApiError(413, `照片超过 ${Math.round(ctx.photoLimits.maxBytes / 1048576)} MB 上限`);
          if (v.size > 0) photos.push(Buffer.from(await v.arrayBuffer()));
        } else if (typeof v === 'string') fields[k] ??= v;
      }
      if (photos.length > ctx.formLimits.maxPhotos) throw new ApiError(400, `每次最多上传 ${ctx.formLimits.maxPhotos} 张照片`);
      const parsed = evidenceFields.safeParse(fields);
      if (!parsed.success) throw new ApiError(400, parsed.error.issues[0]!.message);
      return c.json(orThrow(await addEvidence(ctx, staff(c), id, itemId, parsed.data, photos, ctx.clock())), 201);
    })
    .get('/tasks/:id/evidence/:evidenceId/:size', zValidator('param', evidenceParam, orNotFound), async (c) => {
      const { id, evidenceId, size } = c.req.valid('param');
      const file = evidenceFile(ctx.db, staff(c), id, evidenceId, size);
      if (!file) throw notFound();
      return c.body(new Uint8Array(await ctx.photos.read(file)), 200, { 'Content-Type': 'image/webp', 'Cache-Control': 'private, no-store' });
    });
}
