// node api/cli/outbox-worker.ts [--once]: sends the outbox from a process of its own (decision 019).
// `npm start` already runs the same worker in-process; this one is for draining the outbox after a channel is
// configured (--once) and for the test that kills a worker mid-send. Leases keep two workers off one message.
import { join, resolve } from 'node:path';
import { parseArgs } from 'node:util';
import { migrateDatabase, openDatabase } from '../../db/client.ts';
import { getEnv } from '../env.ts';
import { outboxWorkerFrom } from '../domain/messages/setup.ts';
import { sendDue, startOutboxWorker } from '../domain/messages/worker.ts';

const { values } = parseArgs({ options: { once: { type: 'boolean', default: false } } });
const env = getEnv();
const db = openDatabase(join(resolve(env.DATA_DIR), 'portal.sqlite'));
migrateDatabase(db);
const worker = outboxWorkerFrom(
  env,
  db,
  () => new Date(),
  (id, error, dead) => console.error(JSON.stringify({ outboxId: id, error, dead, msg: 'message not sent' })),
);
if (Object.keys(worker.channels).length === 0) {
  console.error('no channel is configured (SMTP_URL + MAIL_FROM, SMS_GATEWAY_URL + SMS_GATEWAY_SECRET)');
  process.exit(2);
}
if (values.once) {
  let total = 0;
  for (let n = -1; n !== 0; total += n) {
    const t = await sendDue(worker);
    n = t.sent + t.failed + t.dead;
  }
  console.log(`outbox: ${total} tried`);
  for (const c of Object.values(worker.channels)) c.close?.();
} else {
  const outbox = startOutboxWorker(worker, env.OUTBOX_POLL_S * 1000);
  // Keep the process alive: the worker's own timer is unref'd so that it never holds npm start open.
  const alive = setInterval(() => {}, 1 << 30);
  const stop = () => {
    clearInterval(alive);
    void outbox.stop().then(() => process.exit(0));
  };
  process.on('SIGTERM', stop);
  process.on('SIGINT', stop);
  console.log('outbox worker running');
  void outbox.tick();
}
