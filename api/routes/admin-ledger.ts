import { Hono } from 'hono';
import { zValidator } from '@hono/zod-validator';
import type { AppContext } from '../context.ts';
import { badQuery, xlsxDownload } from '../http/download.ts';
import { staff, type StaffEnv } from '../http/staff-auth.ts';
import { exportLedger } from '../domain/supervision/ledger.ts';
import { ledgerQuery } from '../domain/supervision/ledger-query.ts';
import { beijingDate } from '../domain/shared/time.ts';

/** The complaint ledger (举报台账) as .xlsx. Policy: api/http/policy.ts (every staff role, each within his scope). */
export function adminLedgerRoutes(ctx: AppContext) {
  return new Hono<StaffEnv>().get(
    '/exports/complaint-ledger.xlsx',
    zValidator('query', ledgerQuery, badQuery),
    async (c) => {
      const now = ctx.clock();
      const file = await exportLedger(ctx.db, staff(c), c.req.valid('query'), now);
      return xlsxDownload(new Uint8Array(file.bytes), file.filename, `complaint-ledger-${beijingDate(now)}.xlsx`);
    },
  );
}
