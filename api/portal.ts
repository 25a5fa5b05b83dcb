import { existsSync } from 'node:fs';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createApp } from './app.ts';
import { createContext, setContext } from './context.ts';
import { getEnv } from './env.ts';
import { createPortalServer, type SiteHandler } from './server.ts';
import { isEmpty, seedDemo } from './seed/demo.ts';
import { DEMO_COUNTY, DEMO_TOWNSHIPS, DEMO_VILLAGES } from './seed/demo-geography.ts';
import { sendReminders } from './domain/complaints/assignment-reminders.ts';
import { expireRewards } from './domain/rewards/rewards.ts';
import { runDetection } from './domain/watch/detection.ts';
import { nightlyDue } from './domain/watch/detection-runs.ts';
import { logger, setLogLevel } from './http/logging.ts';
import { outboxWorkerFrom } from './domain/messages/setup.ts';
import { startOutboxWorker } from './domain/messages/worker.ts';
import { createMetrics, metricsAccess } from './http/metrics.ts';
import { photoWorkInFlight } from './domain/shared/photos/pipeline.ts';
import { backupSchedule } from './cli/backup-schedule.ts';
import { warmCountyRouting } from './domain/shared/county-routing.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const REMINDER_SWEEP_MS = 10 * 60_000;

/** `npm start`: migrate, seed the demo county into an empty database, serve. */
async function main() {
  const env = getEnv();
  setLogLevel(env.LOG_LEVEL);
  const ctx = await createContext(env);
  setContext(ctx);
  if (isEmpty(ctx)) {
    const accounts = await seedDemo(ctx, { samples: true });
    const townships = DEMO_TOWNSHIPS.map((t) => t.name).join('、');
    console.log(
      `empty database: seeded the demo county ${DEMO_COUNTY.county} (${townships}; ` +
        `${DEMO_VILLAGES.length} villages), sample reports and enterprise files`,
    );
    // Shown once, on this first start only; each must be changed at first login.
    console.log('demo accounts (one-time passwords, change at first login at /admin/login):');
    for (const a of accounts)
      console.log(`  ${a.username.padEnd(10)} ${a.oneTimePassword}  ${a.role.padEnd(10)} ${a.displayName}`);
  }
  if (!ctx.captcha.enabled) logger.warn('hCaptcha is off (no HCAPTCHA_SECRET); reports are not checked for bots');
  const backups = backupSchedule(env);
  if (env.NODE_ENV === 'production' && !env.BACKUP_EVERY_HOURS)
    logger.warn('scheduled backups are off (BACKUP_EVERY_HOURS=0): see docs/production.md');
  const metrics = createMetrics({
    writeQueueDepth: () => ctx.filings.pending,
    photoWork: photoWorkInFlight,
    lastBackupSeconds: backups.lastBackupSeconds,
  });
  backups.start(metrics.backupFailed);

  const entry = `${root}dist/server/entry.mjs`;
  let site: SiteHandler | undefined;
  if (existsSync(entry)) site = ((await import(pathToFileURL(entry).href)) as { handler: SiteHandler }).handler;
  else logger.warn('no built site (run `npm run build`); serving the API only');

  // The county's outlines, parsed here once rather than inside the first filing or staff action.
  warmCountyRouting(ctx.db, ctx.villageAreas());
  const server = createPortalServer({
    env,
    api: createApp(ctx),
    site,
    clientDir: `${root}dist/client`,
    observe: { metrics, allowed: metricsAccess(env.METRICS_TOKEN) },
  });
  server.listen(env.PORT, env.HOST, () => {
    const address = server.address();
    const port = typeof address === 'object' && address ? address.port : env.PORT;
    console.log(`portal listening on http://localhost:${port}`);
  });
  // 交办 reminders (due tomorrow, overdue): each is sent once, so the sweep may run often. Rewards past their claim
  // deadline are written expired (each read already treats them so; this leaves the audit row).
  const remind = () => {
    try {
      sendReminders(ctx.db, ctx.clock());
      expireRewards(ctx.db, ctx.clock());
      // 用电监测 (issue 15): the nightly detection pass, once a day after 02:00 Beijing time; it yields as it goes.
      if (nightlyDue(ctx.db, ctx.clock()))
        runDetection(ctx.db, { now: ctx.clock() }).catch((err: Error) =>
          logger.error({ err }, 'detection pass failed'),
        );
    } catch (err) {
      logger.error({ err }, 'reminder sweep failed');
    }
  };
  remind();
  setInterval(remind, REMINDER_SWEEP_MS).unref();
  // The outbox (decision 019): sent from this process, one message at a time, between requests.
  const worker = outboxWorkerFrom(env, ctx.db, ctx.clock, (outboxId, error, dead) =>
    logger.warn({ outboxId, error, dead }, 'message not sent'),
  );
  for (const channel of ['email', 'sms'] as const)
    if (!worker.channels[channel]) logger.info(`messages: the ${channel} channel is off (see README, Being told)`);
  const outbox = startOutboxWorker(worker, env.OUTBOX_POLL_S * 1000);
  void outbox.tick();
  const stop = () => server.close(() => void outbox.stop().then(() => process.exit(0)));
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
}

main().catch((err: Error) => {
  // Plain text on stderr: an invalid configuration is read by a person, at once.
  console.error(err.message);
  process.exit(1);
});
