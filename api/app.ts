import { Hono } from 'hono';
import type { AppContext } from './context.ts';
import { maxReportBodyBytes } from './env.ts';
import { ApiError, onError } from './http/errors.ts';
import { isOpen311Path, open311Fallback, open311OnError } from './http/open311-errors.ts';
import { limitBody } from './http/body.ts';
import { sameOrigin } from './http/same-origin.ts';
import { complaintRoutes } from './routes/complaints.ts';
import { healthRoutes } from './routes/health.ts';
import { adminComplaintRoutes } from './routes/admin-complaints.ts';
import { adminHandoverRoutes } from './routes/admin-handover.ts';
import { adminAuditRoutes } from './routes/admin-audit.ts';
import { adminUserRoutes } from './routes/admin-users.ts';
import { adminDepartmentRoutes } from './routes/admin-departments.ts';
import { adminTemplateRoutes } from './routes/admin-templates.ts';
import { adminSessionRoutes } from './routes/admin-session.ts';
import { adminEnterpriseRoutes } from './routes/admin-enterprises.ts';
import { adminTaskRoutes } from './routes/admin-tasks.ts';
import { adminRevisitRoutes } from './routes/admin-revisits.ts';
import { adminDynamicListRoutes } from './routes/admin-dynamic-list.ts';
import { adminDrawRoutes } from './routes/admin-draws.ts';
import { adminPatrolRoutes } from './routes/admin-patrols.ts';
import { adminTableRoutes } from './routes/admin-tables.ts';
import { adminCampaignRoutes } from './routes/admin-campaigns.ts';
import { adminLedgerRoutes } from './routes/admin-ledger.ts';
import { adminCaseRoutes } from './routes/admin-cases.ts';
import { adminApiKeyRoutes } from './routes/admin-api-keys.ts';
import { adminAssignmentRoutes } from './routes/admin-assignments.ts';
import { adminNotificationRoutes } from './routes/admin-notifications.ts';
import { adminOfflineRoutes } from './routes/admin-offline.ts';
import { adminMessageRoutes } from './routes/admin-messages.ts';
import { adminRewardRoutes } from './routes/admin-rewards.ts';
import { adminMeterRoutes } from './routes/admin-meters.ts';
import { adminWatchRoutes } from './routes/admin-watch.ts';
import { adminWatchRunRoutes } from './routes/admin-watch-runs.ts';
import { adminPatrolPlanRoutes } from './routes/admin-patrol-plans.ts';
import { adminDepartmentDataRoutes } from './routes/admin-department-data.ts';
import { adminAssessmentRoutes } from './routes/admin-assessment.ts';
import { rewardClaimRoutes } from './routes/reward-claims.ts';
import { publicCaseMapRoutes, publicCaseRoutes } from './routes/public-cases.ts';
import { nearbyReportRoutes, reportMapRoutes } from './routes/public-reports.ts';
import { open311Routes } from './routes/open311.ts';
import { staffGate, type StaffEnv } from './http/staff-auth.ts';

/** The whole API under /api. Each route file says who may call it. */
export function createApp(ctx: AppContext) {
  const maxBody = maxReportBodyBytes(ctx.env);
  const app = new Hono().basePath('/api');
  // Open311 clients read errors in Open311's own shape, also the ones refused before its routes (cross-site, size).
  app.onError((err, c) => (isOpen311Path(c.req.path) ? open311OnError(err, c) : onError(err, c)));
  app.notFound((c) =>
    isOpen311Path(c.req.path) ? open311Fallback(c) : c.json({ error: { message: '接口不存在' } }, 404),
  );
  app.use(sameOrigin(ctx.env.PUBLIC_BASE_URL));
  app.on(
    ['POST', 'PUT', 'PATCH', 'DELETE'],
    '*',
    limitBody(maxBody, () => {
      throw new ApiError(413, `提交内容超过 ${Math.round(maxBody / 1024 / 1024)} MB 上限，请减少或缩小照片`);
    }),
  );
  app.route('/health', healthRoutes(ctx));
  app.route('/complaints', complaintRoutes(ctx));
  app.route('/cases', publicCaseRoutes(ctx));
  app.route('/case-map', publicCaseMapRoutes(ctx));
  app.route('/report-map', reportMapRoutes(ctx));
  app.route('/nearby-reports', nearbyReportRoutes(ctx));
  app.route('/open311/v2', open311Routes(ctx));
  app.route('/track', rewardClaimRoutes(ctx));
  const admin = new Hono<StaffEnv>();
  admin.use(staffGate(ctx));
  admin.route('/', adminSessionRoutes(ctx));
  admin.route('/', adminComplaintRoutes(ctx));
  admin.route('/', adminHandoverRoutes(ctx));
  admin.route('/', adminAuditRoutes(ctx));
  admin.route('/', adminUserRoutes(ctx));
  admin.route('/', adminDepartmentRoutes(ctx));
  admin.route('/', adminTemplateRoutes(ctx));
  admin.route('/', adminEnterpriseRoutes(ctx));
  admin.route('/', adminTaskRoutes(ctx));
  admin.route('/', adminRevisitRoutes(ctx));
  admin.route('/', adminDynamicListRoutes(ctx));
  admin.route('/', adminDrawRoutes(ctx));
  admin.route('/', adminPatrolRoutes(ctx));
  admin.route('/', adminTableRoutes(ctx));
  admin.route('/', adminCampaignRoutes(ctx));
  admin.route('/', adminLedgerRoutes(ctx));
  admin.route('/', adminCaseRoutes(ctx));
  admin.route('/', adminApiKeyRoutes(ctx));
  admin.route('/', adminAssignmentRoutes(ctx));
  admin.route('/', adminNotificationRoutes(ctx));
  admin.route('/', adminOfflineRoutes(ctx));
  admin.route('/', adminMessageRoutes(ctx));
  admin.route('/', adminRewardRoutes(ctx));
  admin.route('/', adminMeterRoutes(ctx));
  admin.route('/', adminWatchRoutes(ctx));
  admin.route('/', adminWatchRunRoutes(ctx));
  admin.route('/', adminPatrolPlanRoutes(ctx));
  admin.route('/', adminDepartmentDataRoutes(ctx));
  admin.route('/', adminAssessmentRoutes(ctx));
  app.route('/admin', admin);
  return app;
}

export type App = ReturnType<typeof createApp>;
