import { and, eq, isNotNull } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { villages } from '../../../db/schema.ts';
import { enterprises } from '../../../db/schema-enforcement.ts';
import { meters, type MeterKind, type TariffClass } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import { TableError, TableRows, type TableRow } from '../shared/table-rows.ts';
import { normaliseCreditCode } from '../shared/fold.ts';
import { ACCOUNT_NO, duplicateAccount, TARIFF_LABELS } from './meters.ts';
import {
  finish,
  MAX_ERRORS,
  type ImportJob,
  type ImportProgress,
  type ImportResult,
  type LineError,
} from './import-run.ts';

/**
 * The utility's list of accounts (户号清单): registers the 户号 it names and updates their 户名, 地址 and 用电类别.
 * A new 户号 needs its 村（社区）, or a 统一社会信用代码 of a file in the township (it is then linked to the file).
 * As with readings, every row is checked before one is written.
 */
type Column = 'account' | 'holder' | 'address' | 'tariff' | 'village' | 'credit' | 'kind';
const HEADERS: [Column, RegExp][] = [
  ['account', /^(电表|水表|用电|用水)?(户号|用户编号|用户号|客户编号|客户号)$/],
  ['holder', /^(户名|用户名称|客户名称|用户名)$/],
  ['address', /^(用电|用水)?(地址|用户地址)$/],
  ['tariff', /^(用电类别|电价类别|用户类别|用电性质)$/],
  ['village', /^(村|村（社区）|村社区|所属村|所在村|村名)$/],
  ['credit', /^(统一社会信用代码|信用代码)$/],
  ['kind', /^(类型|表计类型|户号类型)$/],
];
const TARIFFS = new Map<string, TariffClass>([
  ...Object.entries(TARIFF_LABELS).map(([k, v]) => [v, k as TariffClass] as const),
  ['居民生活', 'residential'],
  ['城乡居民生活用电', 'residential'],
  ['工商业', 'commercial'],
  ['一般工商业及其他', 'commercial'],
  ['农业生产', 'agricultural'],
]);

function headerOf(cells: string[]): Map<Column, number> | null {
  const at = new Map<Column, number>();
  cells.forEach((c, i) => {
    const h = c.replace(/\s/g, '');
    const key = HEADERS.find(([, re]) => re.test(h))?.[0];
    if (key && !at.has(key)) at.set(key, i);
  });
  return at.has('account') ? at : null;
}

interface Planned {
  line: number;
  kind: MeterKind;
  accountNo: string;
  holder: string | null;
  address: string | null;
  tariff: TariffClass | null;
  villageId: number | null;
  enterpriseId: number | null;
}

export async function importMeterList(
  db: Db,
  job: ImportJob & { userId: number; userLabel: string },
  progress: (p: ImportProgress) => void = () => {},
): Promise<ImportResult> {
  const villageIds = new Map(
    db
      .select({ id: villages.id, name: villages.name })
      .from(villages)
      .where(eq(villages.townshipId, job.townshipId))
      .all()
      .map((v) => [v.name, v.id]),
  );
  const files = new Map(
    db
      .select({ id: enterprises.id, code: enterprises.creditCode })
      .from(enterprises)
      .where(and(eq(enterprises.townshipId, job.townshipId), isNotNull(enterprises.creditCode)))
      .all()
      .map((e) => [normaliseCreditCode(e.code!) ?? '', e.id]),
  );
  const errors: LineError[] = [];
  const add = (line: number, message: string) => errors.push({ line, message: `第 ${line} 行：${message}` });
  const planned: Planned[] = [];
  const seen = new Map<string, number>();
  const table = new TableRows({ path: job.path }, job.limits);
  let header: Map<Column, number> | null = null;
  let rowsRead = 0;
  const cell = (r: TableRow, c: Column) => (header!.has(c) ? (r.cells[header!.get(c)!] ?? '') : null);
  try {
    reading: for await (const batch of table.batches()) {
      for (const r of batch) {
        if (!header) {
          header = headerOf(r.cells);
          // No header in the first ten lines: not a meter list (a later line must not be taken for one).
          if (!header && r.line >= 10) break reading;
          continue;
        }
        rowsRead++;
        const account = ACCOUNT_NO.safeParse(cell(r, 'account') ?? '');
        if (!account.success) add(r.line, account.error.issues[0]!.message);
        const kindText = cell(r, 'kind') ?? '';
        const kind: MeterKind = /水/.test(kindText) ? 'water' : 'power';
        const tariffText = cell(r, 'tariff') ?? '';
        const tariff = tariffText === '' ? null : (TARIFFS.get(tariffText.replace(/\s/g, '')) ?? undefined);
        if (tariff === undefined) add(r.line, `用电类别“${tariffText}”应为居民、一般工商业、大工业或农业`);
        const villageText = cell(r, 'village') ?? '';
        const villageId = villageText === '' ? null : (villageIds.get(villageText) ?? undefined);
        if (villageId === undefined) add(r.line, `村（社区）“${villageText}”不在本乡镇`);
        const credit = cell(r, 'credit') ?? '';
        const code = normaliseCreditCode(credit);
        const enterpriseId = code === null ? null : (files.get(code) ?? undefined);
        if (enterpriseId === undefined) add(r.line, `统一社会信用代码 ${credit} 没有对应的企业档案`);
        if (!account.success || tariff === undefined || villageId === undefined || enterpriseId === undefined) continue;
        // The lengths the meter form allows: a suspect file made from the meter takes its address as is.
        const holder = cell(r, 'holder');
        const address = cell(r, 'address');
        if (holder !== null && holder.trim().length > 100) add(r.line, '户名最多 100 个字');
        if (address !== null && address.trim().length > 200) add(r.line, '地址最多 200 个字');
        const key = `${kind} ${account.data}`;
        const before = seen.get(key);
        if (before) add(r.line, `户号 ${account.data} 与第 ${before} 行重复`);
        seen.set(key, r.line);
        planned.push({
          line: r.line,
          kind,
          accountNo: account.data,
          holder,
          address,
          tariff: kind === 'power' ? tariff : null,
          villageId,
          enterpriseId,
        });
        if (errors.length >= MAX_ERRORS) break;
      }
      if (errors.length >= MAX_ERRORS || (!header && table.bytesRead >= table.totalBytes)) break;
      progress({ phase: 'reading', done: table.bytesRead, total: table.totalBytes });
    }
  } catch (e) {
    if (!(e instanceof TableError)) throw e;
    add(e.line ?? 0, e.message);
  }
  if (!header && errors.length === 0)
    add(1, '没有找到表头：前 10 行中应有“户号”一列（户名、地址、用电类别、村（社区）可选）');
  if (header && rowsRead === 0 && errors.length === 0) add(1, '表头下面没有数据');
  const result = errors.length ? null : writeList(db, job, planned, errors);
  if (!result) {
    const list = errors.slice(0, MAX_ERRORS).map((e) => ({ ...e, message: e.message.replace(/^第 0 行：/, '') }));
    finish(db, job.importId, { status: 'failed', rowsRead, errors: list });
    return { ok: false, rowsRead, errors: list };
  }
  finish(db, job.importId, { status: 'done', kind: 'meters', rowsRead, counts: result, errors: [] });
  return { ok: true, kind: 'meters', counts: { rowsRead, ...result }, errors: [] };
}

/** One transaction: a meter list is thousands of rows, not millions. Null if a row could not be written. */
function writeList(
  db: Db,
  job: ImportJob & { userId: number; userLabel: string },
  planned: Planned[],
  errors: LineError[],
) {
  const counts = { inserted: 0, updated: 0, unchanged: 0 };
  const now = new Date(job.now);
  const write = () =>
    db.transaction((tx) => {
      for (const p of planned) {
        const old = tx
          .select()
          .from(meters)
          .where(and(eq(meters.kind, p.kind), eq(meters.accountNo, p.accountNo)))
          .get();
        if (old && old.townshipId !== job.townshipId) {
          const message = duplicateAccount({ townshipId: job.townshipId }, p.accountNo, old.townshipId);
          errors.push({ line: p.line, message: `第 ${p.line} 行：${message}` });
          continue;
        }
        if (!old) {
          if (!p.villageId && !p.enterpriseId) {
            errors.push({ line: p.line, message: `第 ${p.line} 行：新户号 ${p.accountNo} 需填写村（社区）` });
            continue;
          }
          const fileVillage = p.enterpriseId
            ? tx.select({ v: enterprises.villageId }).from(enterprises).where(eq(enterprises.id, p.enterpriseId)).get()!
                .v
            : null;
          tx.insert(meters)
            .values({
              townshipId: job.townshipId,
              villageId: fileVillage ?? p.villageId!,
              enterpriseId: p.enterpriseId,
              kind: p.kind,
              accountNo: p.accountNo,
              tariff: p.tariff,
              holder: p.holder ?? '',
              address: p.address ?? '',
              createdBy: job.userId,
              updatedAt: now,
            })
            .run();
          counts.inserted++;
          continue;
        }
        const change = {
          ...(p.holder !== null && p.holder !== old.holder ? { holder: p.holder } : {}),
          ...(p.address !== null && p.address !== old.address ? { address: p.address } : {}),
          ...(p.tariff !== null && p.tariff !== old.tariff ? { tariff: p.tariff } : {}),
          ...(p.enterpriseId !== null && p.enterpriseId !== old.enterpriseId
            ? {
                enterpriseId: p.enterpriseId,
                villageId: tx
                  .select({ v: enterprises.villageId })
                  .from(enterprises)
                  .where(eq(enterprises.id, p.enterpriseId))
                  .get()!.v,
              }
            : {}),
        };
        if (Object.keys(change).length === 0) {
          counts.unchanged++;
          continue;
        }
        tx.update(meters)
          .set({ ...change, version: old.version + 1, updatedBy: job.userId, updatedAt: now })
          .where(eq(meters.id, old.id))
          .run();
        counts.updated++;
      }
      if (errors.length) throw new Rollback();
      audit(
        tx,
        { id: job.userId, label: job.userLabel },
        { action: 'meter.import', objectType: 'data_import', objectId: job.importId, details: counts },
        now,
      );
    });
  try {
    write();
    return counts;
  } catch (e) {
    if (e instanceof Rollback) return null; // rows refused while writing: nothing at all is written
    throw e;
  }
}

class Rollback extends Error {}
