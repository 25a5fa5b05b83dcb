import type { Role } from '../../db/schema.ts';

const STAFF: readonly Role[] = ['admin', 'triage', 'village', 'department', 'leader'];
const TRIAGE: readonly Role[] = ['admin', 'triage'];
const ADMIN: readonly Role[] = ['admin'];
/** Staff who see enforcement work; each service narrows a village or department officer to his own rows. */
const ENFORCEMENT: readonly Role[] = STAFF;
const FIELD: readonly Role[] = ['admin', 'triage', 'village'];

/**
 * Who may call each back-office route, pages and API alike: the one place deny-by-default reads.
 * A route missing here answers 403 to everyone, and tests/integration/authz fails on it.
 * Keys: "METHOD path" with Hono's `:param` for the API and Astro's `[param]` for pages.
 */
export const POLICY: Record<string, readonly Role[] | 'anyone'> = {
  'GET /admin/login': 'anyone',
  'GET /admin': STAFF,
  'GET /admin/password': STAFF,
  'GET /admin/complaints': STAFF,
  'GET /admin/complaints/[id]': STAFF,
  'GET /admin/audit': ADMIN,
  'GET /admin/users': ADMIN,
  'GET /admin/templates': ADMIN,
  // enterprises, tasks, revisits
  'GET /admin/enterprises': ENFORCEMENT,
  'GET /admin/enterprises/new': TRIAGE,
  'GET /admin/enterprises/[id]': ENFORCEMENT,
  'GET /admin/tasks': ENFORCEMENT,
  'GET /admin/tasks/[id]': ENFORCEMENT,
  'GET /admin/revisits': ENFORCEMENT,
  // xlsx import/export and the survey print view
  'GET /admin/enterprises/import': TRIAGE,
  'GET /admin/enterprises/[id]/survey': ENFORCEMENT,
  // random inspections and night patrols
  'GET /admin/draws': ['admin', 'triage', 'leader'],
  'GET /admin/draws/[id]': ['admin', 'triage', 'leader'],
  'GET /admin/patrols': ['admin', 'triage', 'village', 'leader'],
  // exposures (典型案例) and Open311 keys
  'GET /admin/api-keys': ADMIN,
  'GET /admin/exposures': ['admin', 'triage', 'leader'],
  'GET /admin/exposures/[id]': ['admin', 'triage', 'leader'],
  // reports
  'GET /admin/reports': ['admin', 'triage', 'leader'],

  'POST /api/admin/session': 'anyone',
  'DELETE /api/admin/session': STAFF,
  'POST /api/admin/password': STAFF,
  'GET /api/admin/complaints': STAFF,
  'GET /api/admin/complaints/:id': STAFF,
  'GET /api/admin/complaints/:id/photos/:photoId/:size': STAFF,
  'POST /api/admin/complaints/:id/actions': TRIAGE,
  'POST /api/admin/complaints/:id/contact': TRIAGE,
  'POST /api/admin/complaint-batch': TRIAGE,
  'GET /api/admin/audit': ADMIN,
  'GET /api/admin/users': ADMIN,
  'POST /api/admin/users': ADMIN,
  'PATCH /api/admin/users/:id': ADMIN,
  'POST /api/admin/users/:id/password': ADMIN,
  'GET /api/admin/templates': TRIAGE,
  'PUT /api/admin/templates/:action': ADMIN,
  // enterprises, tasks, revisits
  'GET /api/admin/enterprises': ENFORCEMENT,
  'POST /api/admin/enterprises': TRIAGE,
  'GET /api/admin/enterprises/:id': ENFORCEMENT,
  'PATCH /api/admin/enterprises/:id': TRIAGE,
  'POST /api/admin/enterprises/:id/complaints': TRIAGE,
  'GET /api/admin/tasks': ENFORCEMENT,
  'POST /api/admin/tasks': TRIAGE,
  'GET /api/admin/tasks/:id': ENFORCEMENT,
  'POST /api/admin/tasks/:id/actions': FIELD,
  'POST /api/admin/tasks/:id/items/:itemId/evidence': FIELD,
  'GET /api/admin/tasks/:id/evidence/:evidenceId/:size': ENFORCEMENT,
  'GET /api/admin/revisits': ENFORCEMENT,
  'POST /api/admin/revisits/:id': FIELD,
  // xlsx import/export and the survey print view
  'GET /api/admin/exports/dynamic-list.xlsx': ENFORCEMENT,
  'POST /api/admin/imports/dynamic-list/preview': TRIAGE,
  'POST /api/admin/imports/dynamic-list': TRIAGE,
  // random inspections and night patrols
  'GET /api/admin/draws': ['admin', 'triage', 'leader'],
  'POST /api/admin/draws': TRIAGE,
  'GET /api/admin/draws/:id': ['admin', 'triage', 'leader'],
  'GET /api/admin/draws/:id/verify': ['admin', 'triage', 'leader'],
  'POST /api/admin/draws/:id/items/:enterpriseId': TRIAGE,
  'GET /api/admin/patrols': ['admin', 'triage', 'village', 'leader'],
  'POST /api/admin/patrols': FIELD,
  'GET /api/admin/patrols/:id': ['admin', 'triage', 'village', 'leader'],
  // exposures (典型案例) and Open311 keys
  'GET /api/admin/api-keys': ADMIN,
  'POST /api/admin/api-keys': ADMIN,
  'POST /api/admin/api-keys/:id/revoke': ADMIN,
  'GET /api/admin/exposures': ['admin', 'triage', 'leader'],
  'POST /api/admin/exposures': TRIAGE,
  'GET /api/admin/exposures/:id': ['admin', 'triage', 'leader'],
  'PATCH /api/admin/exposures/:id': TRIAGE,
  'POST /api/admin/exposures/:id/actions': TRIAGE,
  'POST /api/admin/exposures/:id/photos': TRIAGE,
  'POST /api/admin/exposures/:id/photos/:photoId/blur': TRIAGE,
  'DELETE /api/admin/exposures/:id/photos/:photoId': TRIAGE,
  'GET /api/admin/exposures/:id/photos/:photoId/:size': ['admin', 'triage', 'leader'],
  // reports
  'GET /api/admin/reports/progress': ['admin', 'triage', 'leader'],
  'GET /api/admin/reports/progress.xlsx': ['admin', 'triage', 'leader'],
  'GET /api/admin/reports/shutdown-register.xlsx': ['admin', 'triage', 'leader'],
};

export type Decision = 'allow' | 'login' | 'forbidden';

export function decide(key: string, role: Role | null): Decision {
  const allowed = POLICY[key];
  if (!allowed) return 'forbidden';
  if (allowed === 'anyone') return 'allow';
  if (!role) return 'login';
  return allowed.includes(role) ? 'allow' : 'forbidden';
}
