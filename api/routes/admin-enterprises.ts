import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import { z } from 'zod';
import type { AppContext } from '../context.ts';
import { evidenceRules } from '../env.ts';
import { jsonBody } from '../http/body.ts';
import { Readable } from 'node:stream';
import { badQuery, zipDownload } from '../http/download.ts';
import { ApiError } from '../http/errors.ts';
import { orThrow } from '../http/result.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { getEnterpriseFile } from '../domain/enforcement/enterprise-file.ts';
import { exportEvidencePackage } from '../domain/enforcement/evidence-package.ts';
import { enterpriseInput, enterpriseUpdate, registerFilter } from '../domain/enforcement/enterprise-input.ts';
import { insertEnterprise, listEnterprises, updateEnterprise } from '../domain/enforcement/enterprises.ts';
import { linkComplaints } from '../domain/enforcement/tasks.ts';
import { recordId } from '../domain/shared/text-input.ts';

const idParam = z.object({ id: recordId('企业') });
const notFound = () => new ApiError(404, '企业不存在或无权查看');
const orNotFound = (r: { success: boolean }) => {
  if (!r.success) throw notFound();
};
const ids = z.array(recordId('举报编号', { invalid: '举报编号须为正整数' })).max(50, { error: '一次最多关联 50 条' });
// The page's one text box takes "12, 15 18"; the API takes an array.
const splitIds = (v: unknown) =>
  typeof v === 'string'
    ? v
        .replace(/#/g, '')
        .split(/[,，、\s]+/)
        .filter(Boolean)
    : v;
const linkBody = z.object({ complaintIds: z.preprocess(splitIds, ids.min(1, { error: '请填写要关联的举报编号' })) });

/** The enterprise register (一企一档). Policy: api/http/policy.ts; rows narrowed by enterpriseScope. */
export function adminEnterpriseRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>()
    .get('/enterprises', zValidator('query', registerFilter, badQuery), (c) =>
      c.json({ rows: listEnterprises(ctx.db, staff(c), c.req.valid('query')) }),
    )
    .post('/enterprises', async (c) => {
      const user = staff(c);
      const body = await jsonBody(c, enterpriseInput.and(z.object({ complaintIds: ids.default([]) })));
      const now = ctx.clock();
      const id = ctx.db.transaction((tx) => {
        const created = orThrow(insertEnterprise(tx, user, body, ctx.villageAreas(), now));
        // Filed from a complaint: linked in the same step, or not filed at all.
        if (body.complaintIds.length) orThrow(linkComplaints(tx, user, created.id, body.complaintIds, now));
        return created.id;
      });
      return c.json({ id }, 201);
    })
    .get('/enterprises/:id', zValidator('param', idParam, orNotFound), (c) => {
      const file = getEnterpriseFile(ctx.db, staff(c), c.req.valid('param').id);
      if (!file) throw notFound();
      return c.json(file);
    })
    .get('/enterprises/:id/evidence.zip', zValidator('param', idParam, orNotFound), (c) => {
      const deps = { db: ctx.db, photos: ctx.photos, now: ctx.clock(), rules: evidenceRules(ctx.env) };
      const pkg = orThrow(exportEvidencePackage(deps, staff(c), c.req.valid('param').id));
      return zipDownload(Readable.toWeb(pkg.zip) as ReadableStream, pkg.fileName, pkg.fallbackName);
    })
    .patch('/enterprises/:id', zValidator('param', idParam, orNotFound), async (c) => {
      const body = await jsonBody(c, enterpriseUpdate);
      return c.json(
        orThrow(updateEnterprise(ctx.db, staff(c), c.req.valid('param').id, body, ctx.villageAreas(), ctx.clock())),
      );
    })
    .post('/enterprises/:id/complaints', zValidator('param', idParam, orNotFound), async (c) => {
      const { complaintIds } = await jsonBody(c, linkBody);
      return c.json(orThrow(linkComplaints(ctx.db, staff(c), c.req.valid('param').id, complaintIds, ctx.clock())));
    });
}
