import { PassThrough } from 'node:stream';
import { setImmediate as nextTurn } from 'node:timers/promises';
import { eq } from 'drizzle-orm';
import ExcelJS from 'exceljs';
import type { Db } from '../../../db/client.ts';
import { complaintCategories, townships, villages } from '../../../db/schema.ts';
import { audit } from '../accounts/audit.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { queueSearch } from '../complaints/queue.ts';
import { STATUS_NAMES } from '../complaints/workflow.ts';
import { keepAsText } from '../enforcement/tables/xlsx.ts';
import { BEIJING_OFFSET_MS, beijingDate, fmtTime } from '../shared/time.ts';
import { A4_ACROSS, PAGE_NUMBERS, rowHeight } from '../shared/xlsx/print.ts';
import { asQueueQuery, type LedgerQuery } from './ledger-query.ts';
import { ledgerPages, type LedgerRow } from './ledger-rows.ts';

type Cell = string | number | Date | null;

/** The columns offices keep in their 举报台账 (issue 13), in their order. */
export const LEDGER_COLUMNS: { header: string; width: number; cell: (r: LedgerRow) => Cell; time?: boolean }[] = [
  { header: '编号', width: 8, cell: (r) => r.id },
  { header: '受理时间', width: 17, cell: (r) => r.receivedAt, time: true },
  { header: '来源渠道', width: 12, cell: (r) => r.source },
  { header: '被举报对象', width: 28, cell: (r) => r.subject },
  { header: '地址', width: 26, cell: (r) => r.address },
  { header: '问题类别', width: 12, cell: (r) => r.category },
  { header: '属地', width: 10, cell: (r) => r.village },
  { header: '交办时间', width: 17, cell: (r) => r.assignedAt, time: true },
  { header: '办理时限', width: 17, cell: (r) => r.answerDueAt, time: true },
  { header: '签收时间', width: 17, cell: (r) => r.acknowledgedAt, time: true },
  { header: '反馈时间', width: 17, cell: (r) => r.answeredAt, time: true },
  { header: '是否属实', width: 10, cell: (r) => r.founded },
  { header: '办理结果', width: 30, cell: (r) => r.finding },
  { header: '办结时间', width: 17, cell: (r) => r.resolvedAt, time: true },
  { header: '答复情况', width: 40, cell: (r) => r.replies },
];

/**
 * Excel has no time zones: a cell holds a wall-clock time, written as Beijing's, to the minute (a
 * deadline at 23:59:59.999 would otherwise round to the next day in some readers).
 */
const beijingWallClock = (d: Date | null) =>
  d && new Date(Math.floor((d.getTime() + BEIJING_OFFSET_MS) / 60_000) * 60_000);

const ROWS_A_TURN = 10;
const thin = { style: 'thin' } as const;
const BORDER = { top: thin, left: thin, bottom: thin, right: thin };

/** The filter in words, for the printed header and the audit log; a tracking code is never repeated. */
function filterWords(db: Db, q: LedgerQuery): { words: string; logged: Record<string, string | number> } {
  const logged: Record<string, string | number> = Object.fromEntries(
    Object.entries(q).filter((e): e is [string, string | number] => e[1] !== undefined),
  );
  if (q.q && queueSearch(asQueueQuery(q)).kind === 'code') logged.q = '（查询码）';
  const parts: string[] = [];
  if (q.status) parts.push(`状态 ${STATUS_NAMES[q.status]}`);
  if (q.category) {
    const c = db.select({ name: complaintCategories.name }).from(complaintCategories);
    parts.push(`类别 ${c.where(eq(complaintCategories.id, q.category)).get()?.name ?? q.category}`);
  }
  if (q.village === 'none') parts.push('未落入任何村');
  else if (q.village) {
    const v = db.select({ name: villages.name }).from(villages).where(eq(villages.id, q.village)).get();
    parts.push(`属地 ${v?.name ?? q.village}`);
  }
  if (q.from || q.to) parts.push(`受理 ${q.from ?? '…'} 至 ${q.to ?? '…'}`);
  if (q.q) parts.push(`搜索“${logged.q}”`);
  if (q.photos) parts.push(q.photos === 'yes' ? '有照片' : '无照片');
  if (q.duplicate) parts.push('疑似重复');
  if (q.overdue) parts.push('仅超期');
  if (q.township) {
    const t = db.select({ name: townships.name }).from(townships).where(eq(townships.code, q.township)).get();
    parts.push(`乡镇（街道）${t?.name ?? q.township}`);
  }
  return { words: parts.join('，') || '全部', logged };
}

/**
 * Whose ledger this is: the account's township (a village officer's with his village), the township a county
 * account chose, or the county's.
 */
function ownerName(db: Db, user: StaffUser, township: string | undefined): string {
  const chosen = user.townshipId != null ? eq(townships.id, user.townshipId) : township && eq(townships.code, township);
  const rows = db
    .select({ name: townships.name, county: townships.county })
    .from(townships)
    .where(chosen || undefined)
    .orderBy(townships.sort, townships.id)
    .limit(2)
    .all();
  // A county of one township (an installation from before the county) keeps the township's title.
  const name = chosen || rows.length === 1 ? (rows[0]?.name ?? '') : (rows[0]?.county ?? '');
  if (user.role !== 'village' || !user.villageId) return name;
  const v = db.select({ name: villages.name }).from(villages).where(eq(villages.id, user.villageId)).get();
  return `${name}${v?.name ?? ''}`;
}

/**
 * The complaint ledger as .xlsx: one line per complaint the queue would list with these filters,
 * in the viewer's scope, written a page at a time by exceljs's streaming writer (the event loop
 * gets a turn between pages). Each export is audited with its filter.
 */
export async function exportLedger(
  db: Db,
  user: StaffUser,
  q: LedgerQuery,
  now: Date,
): Promise<{ bytes: Buffer; filename: string; count: number }> {
  const { words, logged } = filterWords(db, q);
  const title = `${ownerName(db, user, q.township)}“散乱污”举报台账`;
  const out = new PassThrough();
  const chunks: Buffer[] = [];
  out.on('data', (c: Buffer) => chunks.push(c));
  // Inline strings: shared ones would all be written at the end, in one long turn of the event loop.
  const wb = new ExcelJS.stream.xlsx.WorkbookWriter({ stream: out, useStyles: true, useSharedStrings: false });
  wb.creator = user.displayName;
  wb.created = now;
  wb.title = title;
  wb.subject = `筛选：${words}`;
  const ws = wb.addWorksheet('举报台账', {
    views: [{ state: 'frozen', ySplit: 1 }],
    pageSetup: { ...A4_ACROSS, printTitlesRow: '1:1' },
    headerFooter: {
      ...PAGE_NUMBERS,
      // &amp; is Excel's escape for & in a header (a filter word could hold one).
      oddHeader: `&C&B${title.replaceAll('&', '&&')}&R筛选：${words.replaceAll('&', '&&')}　导出：${fmtTime(now)}`,
    },
  });
  const widths = LEDGER_COLUMNS.map((c) => c.width);
  ws.columns = LEDGER_COLUMNS.map((c) => ({
    width: c.width,
    style: {
      border: BORDER,
      alignment: { vertical: 'top', wrapText: true },
      ...(c.time && { numFmt: 'yyyy-mm-dd hh:mm' }),
    },
  }));
  const headers = LEDGER_COLUMNS.map((c) => c.header);
  const header = ws.addRow(headers);
  header.height = rowHeight(headers, widths);
  header.font = { bold: true };
  header.alignment = { horizontal: 'center', vertical: 'middle', wrapText: true };
  header.eachCell((cell) => {
    cell.fill = { type: 'pattern', pattern: 'solid', fgColor: { argb: 'FFEEF3F0' } };
  });
  header.commit();
  let count = 0;
  for await (const page of ledgerPages(db, user, asQueueQuery(q), now)) {
    for (const [i, r] of page.entries()) {
      // A turn for others every few lines: a fresh process writes its first lines ten times slower.
      if (i % ROWS_A_TURN === 0) await nextTurn();
      const values = LEDGER_COLUMNS.map((c) => (c.time ? beijingWallClock(c.cell(r) as Date | null) : c.cell(r)));
      const row = ws.addRow(values);
      row.height = rowHeight(values, widths);
      row.eachCell(keepAsText);
      row.commit();
    }
    count += page.length;
  }
  ws.autoFilter = { from: { row: 1, column: 1 }, to: { row: Math.max(1, count + 1), column: LEDGER_COLUMNS.length } };
  ws.commit();
  await wb.commit();
  audit(
    db,
    { id: user.id, label: user.displayName },
    {
      action: 'complaint.ledger_export',
      objectType: 'export',
      objectId: 'complaint-ledger',
      details: { filter: logged, rows: count },
    },
    now,
  );
  return { bytes: Buffer.concat(chunks), filename: `${title}-${beijingDate(now)}.xlsx`, count };
}
