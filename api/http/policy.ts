import type { Role } from '../../db/schema.ts';
import {
  ADMIN,
  ASSIGNEES,
  ASSIGNMENT_ACTORS,
  CONTACT_READERS,
  DEPARTMENT,
  EVIDENCE_EXPORTERS,
  FIELD,
  OFFICE,
  OFFICE_READ,
  OFFLINE_WORKERS,
  PATROL_READ,
  STAFF,
} from '../domain/shared/roles.ts';
import { ASSESSMENT_READERS } from '../domain/assessment/scope.ts';

/**
 * Who may call each back-office route, pages and API alike: the one place deny-by-default reads.
 * A route missing here answers 403 to everyone, and tests/integration/authz fails on it.
 * Keys: "METHOD path" with Hono's `:param` for the API and Astro's `[param]` for pages.
 */
export const POLICY: Record<string, readonly Role[] | 'anyone'> = {
  'GET /admin/login': 'anyone',
  'GET /admin': STAFF,
  'GET /admin/password': STAFF,
  // the assignment loop: to-do lists, work items, notifications
  'GET /admin/todo': STAFF,
  'GET /admin/assignments/[id]': STAFF,
  'GET /admin/notifications': STAFF,
  'GET /admin/complaints': STAFF,
  'GET /admin/complaints/[id]': STAFF,
  'GET /admin/audit': ADMIN,
  'GET /admin/users': ADMIN,
  'GET /admin/templates': ADMIN,
  // messages (issue 17): the outbox's failures and the templates are the admin's; each account sets its own channels
  'GET /admin/messages': ADMIN,
  'GET /admin/message-templates': ADMIN,
  'GET /admin/profile': STAFF,
  // enterprises, tasks, revisits
  'GET /admin/enterprises': STAFF,
  'GET /admin/enterprises/new': OFFICE,
  'GET /admin/enterprises/[id]': STAFF,
  'GET /admin/tasks': STAFF,
  'GET /admin/tasks/[id]': STAFF,
  'GET /admin/revisits': STAFF,
  // xlsx import/export and the survey print view
  'GET /admin/enterprises/import': OFFICE,
  'GET /admin/enterprises/[id]/survey': STAFF,
  // random inspections and night patrols
  'GET /admin/draws': OFFICE_READ,
  'GET /admin/draws/[id]': OFFICE_READ,
  'GET /admin/patrols': PATROL_READ,
  // cases (典型案例) and Open311 keys
  'GET /admin/api-keys': ADMIN,
  'GET /admin/cases': OFFICE_READ,
  'GET /admin/cases/[id]': OFFICE_READ,
  // tables (报表)
  'GET /admin/tables': OFFICE_READ,
  // the work app (admin/offline): its manifest, service worker and offline page name no one
  'GET /admin/manifest.webmanifest': 'anyone',
  'GET /admin/sw.js': 'anyone',
  'GET /admin/offline': 'anyone',
  // 有奖举报: leaders read; the office proposes, a second office member decides (the domain refuses the proposer)
  'GET /admin/rewards': OFFICE_READ,

  'POST /api/admin/session': 'anyone',
  'DELETE /api/admin/session': STAFF,
  'POST /api/admin/password': STAFF,
  'GET /api/admin/complaints': STAFF,
  'GET /api/admin/complaints/:id': STAFF,
  'GET /api/admin/complaints/:id/photos/:photoId/:size': STAFF,
  'POST /api/admin/complaints/:id/actions': OFFICE,
  // 移交: the office of the holding or the border township, or the county's (scope: complaints/scope.ts)
  'POST /api/admin/complaints/:id/handover': OFFICE,
  'POST /api/admin/complaints/:id/contact': CONTACT_READERS,
  'POST /api/admin/complaint-batch': OFFICE,
  // the reporter's follow-ups (issue 17): the office reviews them and chooses the closing evidence for /track
  'POST /api/admin/complaints/:id/followups/review': OFFICE,
  'POST /api/admin/complaints/:id/track-photos': OFFICE,
  'POST /api/admin/complaints/:id/track-photos/:photoId/withdraw': OFFICE,
  'GET /api/admin/complaints/:id/track-photos/:photoId/:size': STAFF,
  // the assignment loop
  'GET /api/admin/assignments/:id': STAFF,
  'POST /api/admin/assignments/:id/actions': ASSIGNMENT_ACTORS,
  'POST /api/admin/assignments/:id/answer': ASSIGNEES,
  'POST /api/admin/assignments/:id/records': DEPARTMENT,
  'GET /api/admin/assignments/:id/photos/:photoId/:size': STAFF,
  'GET /api/admin/notifications': STAFF,
  'POST /api/admin/notifications/read': STAFF,
  'GET /api/admin/audit': ADMIN,
  'GET /api/admin/users': ADMIN,
  'POST /api/admin/users': ADMIN,
  'PATCH /api/admin/users/:id': ADMIN,
  'POST /api/admin/users/:id/password': ADMIN,
  'GET /api/admin/departments': ADMIN,
  'POST /api/admin/departments': ADMIN,
  'GET /api/admin/templates': OFFICE,
  'PUT /api/admin/templates/:action': ADMIN,
  'GET /api/admin/messages': ADMIN,
  'POST /api/admin/messages/:id/retry': ADMIN,
  'GET /api/admin/message-templates': ADMIN,
  'PUT /api/admin/message-templates/:key': ADMIN,
  'GET /api/admin/profile': STAFF,
  'PUT /api/admin/profile': STAFF,
  // enterprises, tasks, revisits
  'GET /api/admin/enterprises': STAFF,
  'POST /api/admin/enterprises': OFFICE,
  'GET /api/admin/enterprises/:id': STAFF,
  'PATCH /api/admin/enterprises/:id': OFFICE,
  'POST /api/admin/enterprises/:id/complaints': OFFICE,
  // the evidence package (.zip) for a penalty case: never a village, which produces the evidence (roles.ts)
  'GET /api/admin/enterprises/:id/evidence.zip': EVIDENCE_EXPORTERS,
  'GET /api/admin/tasks': STAFF,
  'POST /api/admin/tasks': OFFICE,
  'GET /api/admin/tasks/:id': STAFF,
  'POST /api/admin/tasks/:id/actions': FIELD,
  'POST /api/admin/tasks/:id/items/:itemId/evidence': FIELD,
  'GET /api/admin/tasks/:id/evidence/:evidenceId/:size': STAFF,
  'GET /api/admin/revisits': STAFF,
  'POST /api/admin/revisits/:id': FIELD,
  // xlsx import/export and the survey print view
  'GET /api/admin/exports/dynamic-list.xlsx': STAFF,
  'POST /api/admin/imports/dynamic-list/preview': OFFICE,
  'POST /api/admin/imports/dynamic-list': OFFICE,
  // random inspections and night patrols
  'GET /api/admin/draws': OFFICE_READ,
  'POST /api/admin/draws': OFFICE,
  'GET /api/admin/draws/:id': OFFICE_READ,
  'GET /api/admin/draws/:id/verify': OFFICE_READ,
  'POST /api/admin/draws/:id/items/:enterpriseId': OFFICE,
  'GET /api/admin/patrols': PATROL_READ,
  'POST /api/admin/patrols': FIELD,
  'GET /api/admin/patrols/:id': PATROL_READ,
  // field photos of revisits, patrols and draws
  'GET /api/admin/revisits/:id/photos/:photoId/:size': STAFF,
  'GET /api/admin/patrols/:id/findings/:findingId/photos/:photoId/:size': PATROL_READ,
  'GET /api/admin/draws/:id/items/:enterpriseId/photos/:photoId/:size': OFFICE_READ,
  // cases (典型案例) and Open311 keys
  'GET /api/admin/api-keys': ADMIN,
  'POST /api/admin/api-keys': ADMIN,
  'POST /api/admin/api-keys/:id/revoke': ADMIN,
  'GET /api/admin/cases': OFFICE_READ,
  'POST /api/admin/cases': OFFICE,
  'GET /api/admin/cases/:id': OFFICE_READ,
  'PATCH /api/admin/cases/:id': OFFICE,
  'POST /api/admin/cases/:id/actions': OFFICE,
  'POST /api/admin/cases/:id/preview': OFFICE,
  'POST /api/admin/cases/:id/photos': OFFICE,
  'POST /api/admin/cases/:id/photos/:photoId/blur': OFFICE,
  'DELETE /api/admin/cases/:id/photos/:photoId': OFFICE,
  'GET /api/admin/cases/:id/photos/:photoId/:size': OFFICE_READ,
  // tables (报表)
  'GET /api/admin/tables/progress': OFFICE_READ,
  'GET /api/admin/tables/progress.xlsx': OFFICE_READ,
  'GET /api/admin/tables/shutdown-register.xlsx': OFFICE_READ,
  'GET /api/admin/tables/monthly': OFFICE_READ,
  'GET /api/admin/tables/monthly.xlsx': OFFICE_READ,
  'GET /api/admin/tables/dynamic-list.xlsx': OFFICE_READ,
  // campaign targets (issue 14, seed 001): every office reads its own progress; the county office (admin, county
  // triage; a township account is refused in api/domain/targets/campaigns.ts) sets campaigns and splits the targets
  'GET /admin/targets': OFFICE_READ,
  'GET /admin/targets/[id]': OFFICE_READ,
  'GET /admin/tables/monthly': OFFICE_READ,
  'GET /api/admin/campaigns': OFFICE_READ,
  'POST /api/admin/campaigns': OFFICE,
  'GET /api/admin/campaigns/:id': OFFICE_READ,
  'GET /api/admin/campaigns/:id/progress': OFFICE_READ,
  'PUT /api/admin/campaigns/:id': OFFICE,
  'PUT /api/admin/campaigns/:id/targets': OFFICE,
  // 部门数据 (issue 15): other departments' registers and figures, 亩产效益, landlords. The office imports and matches,
  // leaders read, the admin sets the evaluation's weights; never a village or department (landlords' phones, tax)
  'GET /admin/department-data': OFFICE_READ,
  'GET /admin/department-data/evaluation': OFFICE_READ,
  'GET /admin/department-data/landlords': OFFICE_READ,
  'GET /api/admin/department-data/imports': OFFICE_READ,
  'POST /api/admin/department-data/registers': OFFICE,
  'POST /api/admin/department-data/figures': OFFICE,
  'GET /api/admin/department-data/registers': OFFICE_READ,
  'POST /api/admin/department-data/register-entries/:id/match': OFFICE,
  'GET /api/admin/department-data/evaluation': OFFICE_READ,
  'GET /api/admin/department-data/evaluation.xlsx': OFFICE_READ,
  'PUT /api/admin/department-data/evaluation-settings/:year': ADMIN,
  'GET /api/admin/department-data/landlords': OFFICE_READ,
  'GET /api/admin/department-data/landlords.xlsx': OFFICE_READ,
  // complaint ledger and 交办单
  'GET /admin/complaints/[id]/sheet': STAFF,
  'GET /api/admin/exports/complaint-ledger.xlsx': STAFF,
  // the pages of one's open work to keep on the phone
  'GET /api/admin/offline/pages': OFFLINE_WORKERS,
  // 有奖举报: schemes are the admin's; proposals, decisions (never one's own), office claims and payments the office's
  'GET /api/admin/rewards': OFFICE_READ,
  'POST /api/admin/reward-schemes': ADMIN,
  'PATCH /api/admin/reward-schemes/:id': ADMIN,
  'POST /api/admin/reward-schemes/:id/tiers': ADMIN,
  'PATCH /api/admin/reward-tiers/:id': ADMIN,
  'DELETE /api/admin/reward-tiers/:id': ADMIN,
  'POST /api/admin/rewards/:id/actions': OFFICE,
  'GET /api/admin/complaints/:id/reward': OFFICE_READ,
  'POST /api/admin/complaints/:id/reward': OFFICE,
  // 夜查计划 (issue 15): the office makes plans, leaders read; never a village or department: a plan warns of a visit
  'GET /admin/watch/plans': OFFICE_READ,
  'GET /admin/watch/plans/[id]': OFFICE_READ,
  'GET /api/admin/patrol-plans': OFFICE_READ,
  'GET /api/admin/relapse-risk': OFFICE_READ,
  'POST /api/admin/patrol-plans': OFFICE,
  'GET /api/admin/patrol-plans/:id': OFFICE_READ,
  'GET /api/admin/patrol-plans/:id/verify': OFFICE_READ,
  'POST /api/admin/patrol-plans/:id/patrol': OFFICE,
  // 用电监测 flags (issue 15): household meter data, so the office acts and leaders read; never a village (it must not
  // learn which house is watched: it gets only the 回头看 a confirmation opens) or a department. Rule numbers: admin
  'GET /admin/watch': OFFICE_READ,
  'GET /admin/watch/flags/[id]': OFFICE_READ,
  'GET /admin/watch/rules': OFFICE_READ,
  'GET /api/admin/watch/flags': OFFICE_READ,
  'GET /api/admin/watch/flags/:id': OFFICE_READ,
  'POST /api/admin/watch/flags/:id/actions': OFFICE,
  'GET /api/admin/watch/rules': OFFICE_READ,
  'PUT /api/admin/watch/rules/:rule': ADMIN,
  // 户号 and the utility's imports (meter data of households is personal: office and leaders; never a village)
  'GET /admin/watch/meters': OFFICE_READ,
  'GET /admin/watch/imports': OFFICE_READ,
  'GET /api/admin/watch/meters': OFFICE_READ,
  'POST /api/admin/watch/meters': OFFICE,
  'POST /api/admin/watch/meters/:id/link': OFFICE,
  'POST /api/admin/watch/meters/:id/retire': OFFICE,
  'GET /api/admin/watch/imports': OFFICE_READ,
  'POST /api/admin/watch/imports': OFFICE,
  'GET /api/admin/watch/imports/:id': OFFICE_READ,
  // detection passes: the office starts one, leaders read the runs
  'GET /api/admin/watch/runs': OFFICE_READ,
  'POST /api/admin/watch/runs': OFFICE,
  // 考核 (issue 14): offices and leaders read (a township its own villages and card), a department its own card; the
  // admin edits the indicators; the 通报 names every unit of a level, so never a department or village
  'GET /admin/assessment': ASSESSMENT_READERS,
  'GET /admin/assessment/[level]/[id]': ASSESSMENT_READERS,
  'GET /admin/assessment/indicators': OFFICE_READ,
  'GET /admin/assessment/notice': OFFICE_READ,
  'GET /admin/dashboard': OFFICE_READ,
  'GET /api/admin/assessment/scorecards': ASSESSMENT_READERS,
  'GET /api/admin/assessment/indicators': OFFICE_READ,
  'PUT /api/admin/assessment/indicators/:id': ADMIN,
  'GET /api/admin/assessment/notice.xlsx': OFFICE_READ,
  // Public reads, stated here though no staff gate sees them: the map of accepted reports and the report form's nearby
  // hint, redacted on the server (api/domain/public/report-map.ts, nearby-hint.ts; the hint limited per address).
  'GET /api/report-map': 'anyone',
  'GET /api/nearby-reports': 'anyone',
};

export type Decision = 'allow' | 'login' | 'forbidden';

export function decide(key: string, role: Role | null): Decision {
  const allowed = POLICY[key];
  if (!allowed) return 'forbidden';
  if (allowed === 'anyone') return 'allow';
  if (!role) return 'login';
  return allowed.includes(role) ? 'allow' : 'forbidden';
}
