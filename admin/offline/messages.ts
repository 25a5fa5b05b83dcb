// What the back-office pages and the work app's service worker agree on. The worker is a classic script
// (admin/offline/sw-route.ts strips its types): it imports these types only, and tsc checks that the
// literals it spells out are these.

/** Headers and paths both sides name. */
export interface OfflineProtocol {
  /** On a page the officer may keep on his phone (set by the page, admin/offline/keep.ts): the only pages cached. */
  keepHeader: 'X-Offline-Keep';
  /** Whose page it is: the name of his page cache, so that a page is never filed under another account. */
  userHeader: 'X-Offline-User';
  /** On the worker's own fetches of the open work: the page renders without side effects (no notice marked read). */
  refreshHeader: 'X-Offline-Refresh';
  offlinePage: '/admin/offline';
  pagesApi: '/api/admin/offline/pages';
  /** Each account's pages live in a cache `pages-<key>`; one account's at a time on a phone. */
  pageCachePrefix: 'pages-';
}

/** A page's requests to its service worker. */
export type OfflineMessage =
  /** Keep this account's open work on the phone (and drop any other account's pages). */
  | { type: 'refresh'; user: string }
  /** Logout: delete every cache this worker made, and answer on the message's port when done. */
  | { type: 'forget' };

/** GET /api/admin/offline/pages */
export interface OfflinePagesAnswer {
  pages: string[];
  cap: number;
}
