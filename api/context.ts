import { mkdirSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { getEnv, type Env } from './env.ts';
import { migrateDatabase, openDatabase, type Db } from '../db/client.ts';
import { WriteThread } from '../db/write-thread.ts';
import { indexAllComplaints } from './domain/complaints/search-index.ts';
import { ensureIndicators } from './domain/assessment/indicators.ts';
import type { FilingJob, FilingOutcome } from './domain/complaints/filing-sql.ts';
import { disabledCaptcha, hCaptcha, type Captcha } from './domain/complaints/captcha.ts';
import type { PhotoLimits } from './domain/shared/photos/pipeline.ts';
import type { FormLimits } from './domain/complaints/form.ts';
import { PhotoStore } from './domain/shared/photos/store.ts';
import { RateLimiter } from './domain/shared/rate-limit.ts';
import { loadDeviceSecret, LoginThrottle } from './domain/accounts/login-throttle.ts';
import { loadVillageAreas, type VillageArea } from './domain/shared/village-routing.ts';
import type { SessionConfig } from './domain/accounts/sessions.ts';

/** Everything a request handler or a page needs, made once per process. */
export interface AppContext {
  env: Env;
  db: Db;
  /** Residents' reports are committed on their own thread (group commit, decision 009). */
  filings: WriteThread<FilingJob, FilingOutcome>;
  photos: PhotoStore;
  captcha: Captcha;
  reportLimiter: RateLimiter;
  lookupLimiter: RateLimiter;
  photoLimits: PhotoLimits;
  formLimits: FormLimits;
  villageAreas: () => VillageArea[];
  /** Staff logins: backoff per (account, address), looser limits per address and per account. */
  loginThrottle: LoginThrottle;
  sessions: SessionConfig;
  /** The time, replaceable in tests (session expiry, deadlines). */
  clock: () => Date;
}

export interface ContextOverrides {
  captcha?: Captcha;
  now?: () => number;
}

// What the filing thread runs: loaded there only (decision 009).
const FILING_WORK = new URL('./domain/complaints/filing-sql.ts', import.meta.url);

export async function createContext(env: Env, overrides: ContextOverrides = {}): Promise<AppContext> {
  const dataDir = resolve(env.DATA_DIR);
  mkdirSync(dataDir, { recursive: true });
  const dbFile = join(dataDir, 'portal.sqlite');
  const db = openDatabase(dbFile);
  migrateDatabase(db);
  // Each level's default indicators, once here: the assessment's read thread only reads.
  ensureIndicators(db, overrides.now ? new Date(overrides.now()) : new Date());
  // Complaints a stopped write thread left out of the search indexes (decision 010).
  indexAllComplaints(db.$client);
  const photos = new PhotoStore(join(dataDir, 'photos'));
  await photos.init();
  let areas: VillageArea[] | undefined;
  const hostnames = env.PUBLIC_BASE_URL ? [new URL(env.PUBLIC_BASE_URL).hostname] : [];
  return {
    env,
    db,
    filings: new WriteThread(FILING_WORK, dbFile),
    photos,
    captcha:
      overrides.captcha ??
      (env.HCAPTCHA_SECRET && !env.CAPTCHA_DISABLED
        ? hCaptcha({
            secret: env.HCAPTCHA_SECRET,
            siteKey: env.HCAPTCHA_SITEKEY!,
            hostnames,
            timeoutMs: env.HCAPTCHA_TIMEOUT_MS,
          })
        : disabledCaptcha()),
    reportLimiter: new RateLimiter(env.REPORT_RATE_LIMIT, env.REPORT_RATE_WINDOW_S * 1000, overrides.now),
    lookupLimiter: new RateLimiter(120, 60_000, overrides.now),
    photoLimits: {
      maxBytes: env.MAX_PHOTO_BYTES,
      maxPixels: env.MAX_PHOTO_PIXELS,
      maxReportPixels: env.MAX_REPORT_PIXELS,
    },
    formLimits: { maxPhotos: env.MAX_PHOTOS, maxPhotoBytes: env.MAX_PHOTO_BYTES },
    // Village boundaries change only through the seed or an admin edit; read them once.
    villageAreas: () => (areas ??= loadVillageAreas(db)),
    loginThrottle: new LoginThrottle({
      pairBaseMs: 1000,
      pairMaxMs: env.LOGIN_BACKOFF_MAX_S * 1000,
      addressLimit: env.LOGIN_LIMIT_PER_IP,
      addressWindowMs: env.LOGIN_WINDOW_S * 1000,
      accountLimit: env.LOGIN_LIMIT_PER_ACCOUNT,
      accountWindowMs: env.LOGIN_WINDOW_S * 1000,
      maxEntries: 50_000,
      deviceSecret: loadDeviceSecret(dataDir),
      deviceTtlMs: 180 * 86_400_000,
      now: overrides.now ?? Date.now,
    }),
    sessions: { idleMs: env.SESSION_IDLE_MINUTES * 60_000, absoluteMs: env.SESSION_ABSOLUTE_HOURS * 3_600_000 },
    clock: overrides.now ? () => new Date(overrides.now!()) : () => new Date(),
  };
}

const KEY = Symbol.for('sanluanwu.context');
type Holder = { [KEY]?: Promise<AppContext> };

/** The process's context, shared by the API and the Astro pages (which are bundled separately). */
export function getContext(): Promise<AppContext> {
  const g = globalThis as Holder;
  g[KEY] ??= createContext(getEnv());
  return g[KEY];
}

export function setContext(ctx: AppContext): void {
  (globalThis as Holder)[KEY] = Promise.resolve(ctx);
}
