import { and, asc, eq, gt, isNull, ne, or } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { registerEntries } from '../../../db/schema-watch.ts';
import { audit } from '../accounts/audit.ts';
import type { ImportOutcome } from './import-outcome.ts';
import { guarded, refuse } from './import-outcome.ts';
import { finishImport, startImport, writeInChunks, type UploadedFile } from './import-record.ts';
import { Matcher, type MatchedBy } from './matcher.ts';
import { creditCodeChecks, normaliseCreditCode, normaliseName } from './names.ts';
import { addError, pause, readTable, slices, type ColumnSpec, type SheetRow } from './table-columns.ts';

const STORED_PAGE = 2_000;

type Key = 'creditCode' | 'name' | 'address' | 'status';
const NAME_HEADERS = ['名称', '企业名称', '市场主体名称', '主体名称', '单位名称', '企业(单位)名称', '字号名称'];
export const NAME_COLUMN: ColumnSpec<'name'> = { key: 'name', label: '名称', names: NAME_HEADERS };
export const CREDIT_CODE_COLUMN: ColumnSpec<'creditCode'> = {
  key: 'creditCode',
  label: '统一社会信用代码',
  names: ['统一社会信用代码', '社会信用代码', '信用代码', '统一代码'],
};
/** 市场监管's licence list, as its exports head the columns. */
export const REGISTER_COLUMNS: ColumnSpec<Key>[] = [
  CREDIT_CODE_COLUMN,
  NAME_COLUMN,
  { key: 'address', label: '地址', names: ['地址', '住所', '经营场所', '住所(经营场所)', '注册地址', '经营地址'] },
  { key: 'status', label: '登记状态', names: ['登记状态', '经营状态', '企业状态', '状态'] },
];

/** A register's credit code as stored, or the reason it is refused. */
export function checkCreditCode(raw: string | undefined): { code: string | null } | { error: string } {
  const code = normaliseCreditCode(raw ?? '');
  if (code === null) return { code };
  if (code.length !== 18) return { error: `统一社会信用代码应为 18 位，“${raw}”是 ${code.length} 位` };
  if (!creditCodeChecks(code)) return { error: `统一社会信用代码“${raw}”有误（字符或校验位不对）` };
  return { code };
}

interface Entry {
  line: number;
  creditCode: string | null;
  name: string;
  address: string;
  registerStatus: string;
}
type Stored = Entry & { id: number; enterpriseId: number | null; matchedBy: MatchedBy | null };

/**
 * Imports a department's register for the township: each row matched to a file (credit code, else name), stored
 * once per credit code (or name, without one) and department. Importing the same rows again changes nothing; a row
 * matched by hand keeps its match. Any bad row refuses the whole file.
 */
export async function importRegister(
  db: Db,
  input: { townshipId: number; departmentId: number; user: { id: number; label: string } },
  file: UploadedFile,
  rows: AsyncIterable<SheetRow> | Iterable<SheetRow>,
  now: Date,
): Promise<ImportOutcome> {
  const started = startImport(db, { ...input, kind: 'register', file, userId: input.user.id }, now);
  if (!started.ok) return { ...started, status: 409, errors: [], errorCount: 0 };
  return guarded(db, started.id, now, () => loadRegister(db, input, started, rows, now));
}

async function loadRegister(
  db: Db,
  input: { townshipId: number; departmentId: number; user: { id: number; label: string } },
  started: { id: number; sameAs: number | null },
  rows: AsyncIterable<SheetRow> | Iterable<SheetRow>,
  now: Date,
): Promise<ImportOutcome> {
  const { townshipId, departmentId } = input;
  const table = await readTable(rows, REGISTER_COLUMNS, { all: ['name'] });
  const entries: Entry[] = [];
  const lineOfKey = new Map<string, number>();
  const turn = slices();
  for (const r of table.records) {
    await turn();
    const name = r.values.name ?? '';
    const code = checkCreditCode(r.values.creditCode);
    if (name === '') addError(table, r.line, '名称为空');
    else if (name.length > 200) addError(table, r.line, '名称超过 200 个字');
    if ('error' in code) addError(table, r.line, code.error);
    if (name === '' || name.length > 200 || 'error' in code) continue;
    const key = code.code ?? `名称:${normaliseName(name)}`;
    const earlier = lineOfKey.get(key);
    if (earlier !== undefined) {
      addError(table, r.line, `与第 ${earlier} 行是同一主体（${code.code ? '信用代码' : '名称'}相同）`);
      continue;
    }
    lineOfKey.set(key, r.line);
    const address = (r.values.address ?? '').slice(0, 500);
    entries.push({ line: r.line, creditCode: code.code, name, address, registerStatus: r.values.status ?? '' });
  }
  if (table.errorCount > 0) return refuse(db, started.id, table, now);

  // The department's rows as stored, a page at a time: a township's whole register is tens of thousands.
  const byCode = new Map<string, Stored>();
  const byName = new Map<string, Stored>();
  for (let after = 0; ; ) {
    const page = db
      .select()
      .from(registerEntries)
      .where(
        and(
          eq(registerEntries.townshipId, townshipId),
          eq(registerEntries.departmentId, departmentId),
          gt(registerEntries.id, after),
        ),
      )
      .orderBy(asc(registerEntries.id))
      .limit(STORED_PAGE)
      .all() as Stored[];
    for (const s of page) {
      if (s.creditCode) byCode.set(s.creditCode, s);
      else byName.set(normaliseName(s.name), s);
    }
    if (page.length < STORED_PAGE) break;
    after = page.at(-1)!.id;
    await pause();
  }
  const matcher = new Matcher(db, townshipId);
  const counts = { rowsRead: table.rowsRead, inserted: 0, updated: 0, unchanged: 0 };
  let unmatched = 0;
  const writes: { id?: number; values: Omit<Stored, 'id'> }[] = [];
  for (const e of entries) {
    await turn();
    const old = (e.creditCode && byCode.get(e.creditCode)) || byName.get(normaliseName(e.name));
    const m = old?.matchedBy === 'staff' ? { enterpriseId: old.enterpriseId, by: 'staff' as const } : null;
    const found = m ?? matcher.match(e.creditCode, e.name);
    const matchedBy = 'by' in found ? found.by : null;
    const values = { ...e, enterpriseId: found.enterpriseId, matchedBy };
    if (values.enterpriseId === null) unmatched++;
    if (!old) {
      counts.inserted++;
      writes.push({ values });
    } else if (
      old.creditCode !== e.creditCode ||
      old.name !== e.name ||
      old.address !== e.address ||
      old.registerStatus !== e.registerStatus ||
      old.enterpriseId !== values.enterpriseId ||
      old.matchedBy !== matchedBy
    ) {
      counts.updated++;
      writes.push({ id: old.id, values });
    } else counts.unchanged++;
  }
  await writeInChunks(db, writes, (tx, w) => {
    if (w.id === undefined) {
      tx.insert(registerEntries)
        .values({ ...w.values, importId: started.id, townshipId, departmentId, createdAt: now })
        .run();
    } else {
      const { enterpriseId, matchedBy, ...fields } = w.values;
      const row = eq(registerEntries.id, w.id);
      tx.update(registerEntries)
        .set({ ...fields, importId: started.id })
        .where(row)
        .run();
      // A hand match the office made while this import was reading the file stands: it is newer, and audited.
      const notByHand = or(isNull(registerEntries.matchedBy), ne(registerEntries.matchedBy, 'staff'));
      tx.update(registerEntries)
        .set({ enterpriseId, matchedBy })
        .where(matchedBy === 'staff' ? row : and(row, notByHand))
        .run();
    }
  });
  finishImport(db, started.id, counts, [], now);
  audit(
    db,
    input.user,
    {
      action: 'department_data.import',
      objectType: 'data_import',
      objectId: started.id,
      details: { ...counts, unmatched },
    },
    now,
  );
  return { ok: true, importId: started.id, counts, unmatched, notes: [], sameAs: started.sameAs };
}
