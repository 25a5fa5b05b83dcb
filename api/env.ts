import { z } from 'zod';

const flag = z
  .enum(['true', 'false', '1', '0', ''])
  .default('false')
  .transform((v) => v === 'true' || v === '1');

/** An unset variable often arrives as an empty line of the environment file: the same as absent. */
const unlessBlank = <T extends z.ZodType>(inner: T) => z.preprocess((v) => (v === '' ? undefined : v), inner);

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'production', 'test']).default('development'),
    HOST: z.string().default('0.0.0.0'),
    PORT: z.coerce.number().int().min(0).max(65535).default(4321),
    DATA_DIR: z.string().min(1).default('./data'),
    /** Origin the public reaches us at; used for CSRF and the captcha hostname check. */
    PUBLIC_BASE_URL: z.url().optional(),
    TRUST_PROXY: flag,

    HCAPTCHA_SITEKEY: z.string().optional(),
    HCAPTCHA_SECRET: z.string().optional(),
    /** Production refuses to start without a captcha secret unless this says it is off on purpose. */
    CAPTCHA_DISABLED: flag,
    HCAPTCHA_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(4000),

    // Map tiles (api/domain/shared/map-tiles.ts): a preset by name; TILE_URL (with TILE_SUBDOMAINS and
    // TILE_CRS) replaces it with a source of one's own, '' with none. 天地图 needs its key in TILE_TOKEN.
    TILE_PRESET: z.enum(['osm', 'tianditu', 'amap']).default('osm'),
    TILE_TOKEN: z
      .string()
      .regex(/^[0-9A-Za-z]*$/, { message: 'TILE_TOKEN is a 天地图 key: letters and digits only' })
      .optional(),
    TILE_URL: z.string().optional(),
    TILE_SUBDOMAINS: z.string().default('abc'),
    TILE_CRS: z.enum(['wgs84', 'gcj02']).default('wgs84'),
    /** The credit line and the 审图号 shown on every map, instead of the preset's. */
    TILE_ATTRIBUTION: z.string().optional(),
    TILE_APPROVAL_NO: z.string().optional(),

    MAX_PHOTOS: z.coerce.number().int().min(0).max(20).default(6),
    MAX_PHOTO_BYTES: z.coerce
      .number()
      .int()
      .min(1024)
      .default(10 * 1024 * 1024),
    MAX_PHOTO_PIXELS: z.coerce.number().int().min(1_000_000).default(50_000_000),
    /** All the photos of one report together (six 24 MP phone photos; three of 50 MP). */
    MAX_REPORT_PIXELS: z.coerce.number().int().min(1_000_000).default(150_000_000),
    REPORT_RATE_LIMIT: z.coerce.number().int().min(1).default(20),
    REPORT_RATE_WINDOW_S: z.coerce.number().int().min(1).default(600),
    /** Open311 POSTs per API key per window: a partner relays many residents, so not the per-address limit. */
    OPEN311_KEY_RATE_LIMIT: z.coerce.number().int().min(1).default(200),
    OPEN311_KEY_RATE_WINDOW_S: z.coerce.number().int().min(1).default(600),

    // Time limits, 12369 practice: decide within 15 days, finish within 60, one extension of up to 30.
    ACCEPT_DAYS: z.coerce.number().int().min(1).default(15),
    FINISH_DAYS: z.coerce.number().int().min(1).default(60),
    EXTENSION_MAX_DAYS: z.coerce.number().int().min(1).default(30),
    /** 交办: a village or department acknowledges (签收) within this many working days. */
    ASSIGN_ACK_WORKDAYS: z.coerce.number().int().min(0).max(30).default(1),
    /** 交办: the answer (反馈) is due this many days after 交办; 0 means by the complaint's own deadline. */
    ASSIGN_ANSWER_DAYS: z.coerce.number().int().min(0).max(3650).default(0),
    /** Days after a task's acceptance when the revisits (回头看) fall due. */
    REVISIT_DAYS: z
      .string()
      .default('30,90,180')
      .transform((v) => v.split(',').map((d) => Number(d.trim())))
      .pipe(
        z.array(z.number().int().min(1).max(3650)).min(1, { message: 'REVISIT_DAYS needs at least one day count' }),
      ),
    /** The deadline of the new task a revisit's finding opens. */
    FOLLOW_UP_TASK_DAYS: z.coerce.number().int().min(1).default(30),
    /** How long after resolution the reporter may say 又开工了 with his tracking code (reopen, or a linked report). */
    RELAPSE_REPORT_DAYS: z.coerce.number().int().min(1).max(3650).default(180),
    /** A field photo taken more than this many hours before the server got it is marked for the reviewer. */
    EVIDENCE_LATE_HOURS: z.coerce
      .number()
      .min(0.1)
      .max(24 * 366)
      .default(24),

    // Dynamic-list imports (.xlsx, decision 011): the upload, what its parts may inflate to in all,
    // and how long reading it may take on the import thread before the thread is ended (422).
    IMPORT_MAX_FILE_MB: z.coerce.number().min(0.1).max(100).default(10),
    IMPORT_MAX_UNZIPPED_MB: z.coerce.number().min(1).max(1024).default(100),
    IMPORT_READ_TIMEOUT_S: z.coerce.number().min(0.01).max(600).default(10),

    // Tables of other people's data (issue 15: the power company's readings and meter lists, a department's
    // register), CSV or .xlsx (api/domain/shared/table-rows.ts): the file, and its rows.
    TABLE_IMPORT_MAX_MB: z.coerce.number().min(0.1).max(4096).default(300),
    TABLE_IMPORT_MAX_ROWS: z.coerce.number().int().min(1).default(10_000_000),

    SESSION_IDLE_MINUTES: z.coerce.number().int().min(1).default(120),
    SESSION_ABSOLUTE_HOURS: z.coerce.number().int().min(1).default(12),
    // Login throttling (api/services/login-throttle.ts). Failed logins from places an account never
    // signed in from: per address, and per account (which slows a spread-out guess, never locks);
    // each (account, address) pair also waits 1 s, 2 s, 4 s… after its failures, up to LOGIN_BACKOFF_MAX_S.
    LOGIN_LIMIT_PER_IP: z.coerce.number().int().min(1).default(20),
    LOGIN_LIMIT_PER_ACCOUNT: z.coerce.number().int().min(1).default(50),
    LOGIN_WINDOW_S: z.coerce.number().int().min(1).default(900),
    LOGIN_BACKOFF_MAX_S: z.coerce.number().int().min(1).default(900),

    // Operating it (docs/production.md): logs, metrics, backups.
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'silent']).default('info'),
    /** Who may read /metrics besides a direct client on this machine: a bearer token, 24+ characters. */
    METRICS_TOKEN: z.string().min(24, { message: 'METRICS_TOKEN needs at least 24 characters' }).optional(),
    /** Where `npm run backup` and the schedule put timestamped copies of DATA_DIR. */
    BACKUP_DIR: z.string().min(1).default('./backups'),
    /** The server makes a backup when the newest is this old (0: no schedule; fractions allowed). */
    BACKUP_EVERY_HOURS: z.coerce
      .number()
      .min(0)
      .max(24 * 366)
      .default(0),
    /** Complete backups kept in BACKUP_DIR after a new one; older ones are removed. */
    BACKUP_KEEP: z.coerce.number().int().min(1).max(10_000).default(14),

    // Messages (issue 17, decision 019): e-mail over SMTP, SMS through an HTTP gateway; a channel not set is off.
    /** nodemailer's connection URL: smtp://user:pass@host:587 (STARTTLS) or smtps://user:pass@host:465. */
    SMTP_URL: unlessBlank(
      z
        .string()
        .regex(/^smtps?:\/\/[^\s]+$/, { message: 'SMTP_URL is smtp://user:pass@host:port or smtps://…' })
        .optional(),
    ),
    /** The sender of every e-mail, "名称 <address>" or an address; its domain ends each Message-ID. */
    MAIL_FROM: unlessBlank(
      z
        .string()
        .regex(/@[^\s@>]+>?\s*$/, { message: 'MAIL_FROM needs an address' })
        .optional(),
    ),
    SMS_GATEWAY_URL: unlessBlank(z.url().optional()),
    /** Signs each gateway request (HMAC-SHA256 of the body, api/domain/messages/channels/sms.ts): 16+ characters. */
    SMS_GATEWAY_SECRET: unlessBlank(
      z.string().min(16, { message: 'SMS_GATEWAY_SECRET needs at least 16 characters' }).optional(),
    ),
    /** Tries before a message is given up as failed and shown to the admin. */
    OUTBOX_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(50).default(6),
    /** A sending worker's hold on a message: if it dies, the message is sent again after this long. */
    OUTBOX_LEASE_S: z.coerce.number().min(1).max(3600).default(300),
    /** How often the worker looks for due messages. */
    OUTBOX_POLL_S: z.coerce.number().min(0.05).max(3600).default(10),
  })
  .superRefine((e, ctx) => {
    if (e.NODE_ENV === 'production' && !e.PUBLIC_BASE_URL) {
      ctx.addIssue({
        code: 'custom',
        path: ['PUBLIC_BASE_URL'],
        message:
          'production needs PUBLIC_BASE_URL, the origin the public reaches the portal at ' +
          '(e.g. https://jubao.example.gov.cn): links, feed ids, the sitemap, Open311 discovery and CSRF ' +
          'checks use it, never the Host header of a request (生产环境必须设置 PUBLIC_BASE_URL，即公众访问本平台的地址)',
      });
    }
    if (e.NODE_ENV === 'production' && !e.HCAPTCHA_SECRET && !e.CAPTCHA_DISABLED) {
      ctx.addIssue({
        code: 'custom',
        path: ['HCAPTCHA_SECRET'],
        message: 'production needs HCAPTCHA_SECRET (or CAPTCHA_DISABLED=true to run without captcha on purpose)',
      });
    }
    if (e.TILE_PRESET === 'tianditu' && e.TILE_URL === undefined && !e.TILE_TOKEN) {
      ctx.addIssue({
        code: 'custom',
        path: ['TILE_TOKEN'],
        message:
          'TILE_PRESET=tianditu needs TILE_TOKEN, a 天地图 browser key (天地图需要 TILE_TOKEN：在天地图开发者控制台申请的浏览器端 Key)',
      });
    }
    if (e.SMTP_URL && !e.MAIL_FROM)
      ctx.addIssue({ code: 'custom', path: ['MAIL_FROM'], message: 'SMTP_URL needs MAIL_FROM, the sender' });
    if (e.SMS_GATEWAY_URL && !e.SMS_GATEWAY_SECRET)
      ctx.addIssue({
        code: 'custom',
        path: ['SMS_GATEWAY_SECRET'],
        message: 'SMS_GATEWAY_URL needs SMS_GATEWAY_SECRET',
      });
    if (e.HCAPTCHA_SECRET && !e.HCAPTCHA_SITEKEY) {
      ctx.addIssue({
        code: 'custom',
        path: ['HCAPTCHA_SITEKEY'],
        message: 'HCAPTCHA_SITEKEY is required with HCAPTCHA_SECRET',
      });
    }
  });

export type Env = z.infer<typeof schema>;

export function parseEnv(source: Record<string, string | undefined>): Env {
  const result = schema.safeParse(source);
  if (!result.success) {
    const lines = result.error.issues.map((i) => `  ${i.path.join('.')}: ${i.message}`);
    throw new Error(`invalid configuration:\n${lines.join('\n')}`);
  }
  return result.data;
}

/**
 * The origin every absolute link and id is written with (feed ids, the sitemap, robots.txt, Open311
 * discovery): PUBLIC_BASE_URL, which production requires, else this machine's listener. Never a
 * request's Host header, which anyone can set and a proxy may rewrite.
 */
export const siteOrigin = (e: Pick<Env, 'PUBLIC_BASE_URL' | 'PORT'>) =>
  e.PUBLIC_BASE_URL ? new URL(e.PUBLIC_BASE_URL).origin : `http://localhost:${e.PORT}`;

/** The complaint actions' time limits (api/domain/complaints/actions.ts). */
export const complaintLimits = (e: Env) => ({
  finishDays: e.FINISH_DAYS,
  extensionMaxDays: e.EXTENSION_MAX_DAYS,
  ackWorkdays: e.ASSIGN_ACK_WORKDAYS,
  answerDays: e.ASSIGN_ANSWER_DAYS,
});

/** What task and revisit services need from the configuration. */
export const enforcementConfig = (e: Env) => ({
  ...complaintLimits(e),
  revisitDays: e.REVISIT_DAYS,
  followUpDays: e.FOLLOW_UP_TASK_DAYS,
});

/** What marks a field photo for its reviewer (api/domain/shared/photos/views.ts). */
export const evidenceRules = (e: Pick<Env, 'EVIDENCE_LATE_HOURS'>) => ({
  lateMs: Math.round(e.EVIDENCE_LATE_HOURS * 3_600_000),
});

/** What a dynamic-list import may cost (api/services/dynamic-list-import.ts). */
export const importLimits = (e: Env) => {
  const unzipped = Math.round(e.IMPORT_MAX_UNZIPPED_MB * 1024 * 1024);
  return {
    maxFileBytes: Math.round(e.IMPORT_MAX_FILE_MB * 1024 * 1024),
    // One part (the sheet, the shared strings) at most 64 MB of it.
    read: { maxTotalBytes: unzipped, maxPartBytes: Math.min(64 * 1024 * 1024, unzipped) },
    readMs: Math.round(e.IMPORT_READ_TIMEOUT_S * 1000),
  };
};

/** What an uploaded table (CSV or .xlsx) may be: bytes, rows, and an .xlsx's inflated size. */
export const tableLimits = (e: Env) => {
  const unzipped = Math.round(e.IMPORT_MAX_UNZIPPED_MB * 1024 * 1024);
  return {
    maxBytes: Math.round(e.TABLE_IMPORT_MAX_MB * 1024 * 1024),
    maxRows: e.TABLE_IMPORT_MAX_ROWS,
    // A sheet of a million rows of three columns.
    xlsx: { maxTotalBytes: unzipped, maxPartBytes: unzipped, maxSharedStrings: 2_000_000, maxCells: 4_000_000 },
  };
};

/** The largest report body: every photo at its limit, plus a megabyte for the text fields. */
/** A report's body: its photos and a megabyte for the rest. */
export const reportBodyBytes = (maxPhotos: number, maxPhotoBytes: number) => maxPhotos * maxPhotoBytes + 1024 * 1024;
export const maxReportBodyBytes = (e: Env) => reportBodyBytes(e.MAX_PHOTOS, e.MAX_PHOTO_BYTES);

let cached: Env | undefined;
/** The process configuration; the only reader of process.env. */
export function getEnv(): Env {
  cached ??= parseEnv(process.env);
  return cached;
}
