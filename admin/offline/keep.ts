import { createHash } from 'node:crypto';
import type { StaffUser } from '../../api/domain/accounts/sessions.ts';
import { hasRole, OFFLINE_WORKERS } from '../../api/domain/shared/roles.ts';
import type { OfflineProtocol } from './messages.ts';

const KEEP: OfflineProtocol['keepHeader'] = 'X-Offline-Keep';
const USER: OfflineProtocol['userHeader'] = 'X-Offline-User';
const REFRESH: OfflineProtocol['refreshHeader'] = 'X-Offline-Refresh';

/**
 * The name of this account's page cache on the phone. A label, not a secret (the pages are on his own phone); the
 * username is in it so that a recreated database's account #3 is not someone else's #3.
 */
export function offlineUserKey(user: Pick<StaffUser, 'id' | 'username'>): string {
  return createHash('sha256').update(`offline-pages\n${user.id}\n${user.username}`).digest('hex').slice(0, 32);
}

interface PageGlobals {
  response: { headers: Headers };
  locals: App.Locals;
}

/**
 * Lets the officer keep the page being rendered on his phone: the service worker caches only pages marked so
 * (admin/offline/service-worker.ts); a leader's never (he keeps no work offline). Only pages of field work that show
 * nothing the officer does not see online anyway: never a complaint's page (the reporter's contact may be revealed
 * there) nor an office-only page with more than that.
 */
export function keepOffline(page: PageGlobals): void {
  const user = page.locals.user;
  if (!user || !hasRole(user, OFFLINE_WORKERS)) return;
  page.response.headers.set(KEEP, '1');
  page.response.headers.set(USER, offlineUserKey(user));
}

/** The service worker fetching the open work in the background, not the officer opening the page. */
export const isOfflineRefresh = (request: Request) => request.headers.get(REFRESH) === '1';
