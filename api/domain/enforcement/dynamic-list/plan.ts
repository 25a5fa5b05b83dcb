import { eq, inArray, ne } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { townships, villages } from '../../../../db/schema.ts';
import {
  enterprises,
  INSPECTION_AREAS,
  tasks,
  type AreaProblems,
  type InspectionArea,
} from '../../../../db/schema-enforcement.ts';
import { ENTERPRISE_STATUS_LABELS } from '../labels.ts';
import { enterpriseFields, enterpriseInput, type EnterpriseInput } from '../enterprise-input.ts';
import {
  columnOfField,
  FIELD_COLUMN,
  COLUMN_HEADER,
  PROBLEM_COLUMNS,
  type CellError,
  type ListRecord,
} from './columns.ts';
import type { ParsedSheet } from './sheet.ts';
import type { VillageArea } from '../../shared/village-routing.ts';
import { type Elsewhere, noVillage, type Village, villageFinder } from './line-village.ts';

type Reader = Pick<Db, 'select' | 'selectDistinct'>;

export interface ImportRowReport {
  row: number;
  name: string;
  villageName: string | null;
  action: 'create' | 'update' | 'unchanged';
  /** Columns whose values the import changes on an existing file. */
  changes: string[];
  errors: CellError[];
  warnings: string[];
}

type Existing = typeof enterprises.$inferSelect;
/** A checked line, ready to write: the full input, the village, and for an update the file it changes. */
export interface PlannedRow {
  report: ImportRowReport;
  input: (EnterpriseInput & { villageId: number }) | null;
  townshipId: number;
  status: ListRecord['status'];
  existing: Existing | null;
  changed: (keyof Existing)[];
}

const FIELD_NAMES = Object.keys(enterpriseFields.shape) as (keyof typeof enterpriseFields.shape)[];

/**
 * The files a sheet's lines may update, by village and name. One narrow scan of the register
 * finds them (name is not the leading column of any index), then whole rows by id.
 */
function existingFiles(db: Reader, names: Set<string>) {
  const ids = db
    .select({ id: enterprises.id, name: enterprises.name })
    .from(enterprises)
    .all()
    .filter((e) => names.has(e.name))
    .map((e) => e.id);
  const byKey = new Map<string, Existing>();
  const withTasks = new Set<number>();
  for (let i = 0; i < ids.length; i += 500) {
    const chunk = ids.slice(i, i + 500);
    for (const r of db.select().from(enterprises).where(inArray(enterprises.id, chunk)).all())
      byKey.set(`${r.villageId}\u0000${r.name}`, r);
    for (const t of db
      .selectDistinct({ id: tasks.enterpriseId })
      .from(tasks)
      .where(inArray(tasks.enterpriseId, chunk))
      .all())
      withTasks.add(t.id);
  }
  return { byKey, withTasks };
}

function same(f: string, a: unknown, b: unknown): boolean {
  // Coordinates travel with six decimals (about 0.1 m); closer than that is the same place.
  if ((f === 'lat' || f === 'lng') && typeof a === 'number' && typeof b === 'number') return Math.abs(a - b) < 5e-7;
  if (f === 'problems')
    return INSPECTION_AREAS.every((k) => ((a as AreaProblems)[k] ?? '') === ((b as AreaProblems)[k] ?? ''));
  return JSON.stringify(a ?? null) === JSON.stringify(b ?? null);
}

function changedColumns(changed: (keyof Existing)[], before: Existing, after: EnterpriseInput): string[] {
  const cols = changed.flatMap((f) => {
    if (f !== 'problems') return [COLUMN_HEADER[FIELD_COLUMN[f] ?? 'name']];
    return (Object.keys(PROBLEM_COLUMNS) as (keyof typeof PROBLEM_COLUMNS)[])
      .filter((c) => PROBLEM_COLUMNS[c].some((a) => before.problems[a] !== after.problems[a]))
      .map((c) => COLUMN_HEADER[c]);
  });
  return [...new Set(cols)];
}

/** Everything a plan reads from the database: the villages, and the files the sheet's names may update. */
export interface PlanBasis {
  villages: Village[];
  /** A township office's import: its township's name, and the other townships' villages (to say why a line fails). */
  townshipName: string | null;
  elsewhere: Elsewhere;
  byKey: Map<string, Existing>;
  withTasks: Set<number>;
}

/** The villages a sheet's lines may lie in: the importing township's (null: a county account's, all). */
const villagesIn = (db: Reader, townshipId: number | null) =>
  db
    .select({ id: villages.id, name: villages.name, townshipId: villages.townshipId })
    .from(villages)
    .where(townshipId === null ? undefined : eq(villages.townshipId, townshipId))
    .orderBy(villages.id)
    .all();

export function readBasis(db: Reader, sheet: ParsedSheet, townshipId: number | null): PlanBasis {
  const villageRows = villagesIn(db, townshipId);
  const own =
    townshipId === null
      ? null
      : db.select({ name: townships.name }).from(townships).where(eq(townships.id, townshipId)).get();
  const elsewhere =
    townshipId === null
      ? []
      : db
          .select({ id: villages.id, name: villages.name })
          .from(villages)
          .where(ne(villages.townshipId, townshipId))
          .all();
  return {
    villages: villageRows,
    townshipName: own?.name ?? null,
    elsewhere,
    ...existingFiles(db, sheetNames(sheet)),
  };
}

const sheetNames = (sheet: ParsedSheet) => new Set(sheet.lines.map((p) => p.fields.name ?? ''));

/**
 * What a plan's basis depends on, small enough to read again under the write lock: the villages,
 * each file of a name in the sheet by id, village, name and version (every change to a file
 * bumps its version: enterprises.ts, and updates here check it), and which of them have tasks.
 */
export function basisStamp(db: Reader, sheet: ParsedSheet, townshipId: number | null): string {
  const names = sheetNames(sheet);
  const villageRows = villagesIn(db, townshipId);
  const files = db
    .select({
      id: enterprises.id,
      villageId: enterprises.villageId,
      name: enterprises.name,
      version: enterprises.version,
    })
    .from(enterprises)
    .orderBy(enterprises.id)
    .all()
    .filter((e) => names.has(e.name));
  const withTasks: number[] = [];
  for (let i = 0; i < files.length; i += 500) {
    const chunk = files.slice(i, i + 500).map((f) => f.id);
    for (const t of db
      .selectDistinct({ id: tasks.enterpriseId })
      .from(tasks)
      .where(inArray(tasks.enterpriseId, chunk))
      .all())
      withTasks.push(t.id);
  }
  return JSON.stringify([
    villageRows,
    files.map((f) => [f.id, f.villageId, f.name, f.version]),
    withTasks.sort((a, b) => a - b),
  ]);
}

/** Checks every line against a basis read before; reads nothing. */
export function planWith(basis: PlanBasis, areas: VillageArea[], sheet: ParsedSheet): PlannedRow[] {
  const villagesOf = villageFinder(basis.villages, areas);
  const { byKey, withTasks } = basis;
  const seen = new Map<string, number>();
  return sheet.lines.map(({ row, fields, problemAreas, errors: readErrors }) => {
    const errors = [...readErrors]; // the read sheet is shared (see readDynamicList): never changed here
    const name = fields.name ?? '';
    const village = villagesOf.find(fields.lat, fields.lng, fields.address ?? '', sheet.title);
    if (!village) errors.push(noVillage(basis, areas, fields, sheet.title));
    const key = `${village?.id}\u0000${name}`;
    const existing = (village && byKey.get(key)) ?? null;
    if (village && name) {
      const first = seen.get(key);
      if (first)
        errors.push({ column: COLUMN_HEADER.name, message: `与第 ${first} 行重复：同一村（社区）的企业名称不能重复` });
      else seen.set(key, row);
    }
    const base = existing ? Object.fromEntries(FIELD_NAMES.map((f) => [f, existing[f as keyof Existing]])) : {};
    const keptProblems = existing
      ? Object.fromEntries(
          Object.entries(existing.problems).filter(([a]) => !problemAreas.includes(a as InspectionArea)),
        )
      : {};
    const { status: sheetStatus, ...listFields } = fields;
    // The village's name the export put before an address that lacked it (see addressCell) is not a change.
    if (existing && village && listFields.address === `${village.name}${existing.address}`)
      listFields.address = existing.address;
    // it had none
    else if (village && listFields.address === village.name && listFields.lat == null) listFields.address = '';
    const checked = enterpriseInput.safeParse({
      ...base,
      ...listFields,
      problems: { ...keptProblems, ...fields.problems },
      villageId: village?.id ?? 0,
    });
    if (!checked.success) {
      for (const issue of checked.error.issues) {
        if (issue.path[0] === 'villageId') continue; // reported above, in words that fit a sheet
        errors.push({ column: columnOfField(issue.path), message: issue.message });
      }
    }
    const warnings: string[] = [];
    let status = sheetStatus ?? existing?.status ?? 'listed';
    // A task moves a file along the list; the sheet may not overrule it.
    if (existing && withTasks.has(existing.id) && status !== existing.status) {
      warnings.push(`整治进度以整治任务为准，状态仍为“${ENTERPRISE_STATUS_LABELS[existing.status]}”`);
      status = existing.status;
    }
    const input = checked.success ? { ...checked.data, villageId: village!.id } : null;
    const changed =
      existing && input
        ? ([
            ...FIELD_NAMES.filter((f) => f !== 'villageId' && !same(f, existing[f as keyof Existing], input[f])),
            ...(status !== existing.status ? ['status'] : []),
          ] as (keyof Existing)[])
        : [];
    const report: ImportRowReport = {
      row,
      name,
      villageName: village?.name ?? null,
      action: !existing ? 'create' : changed.length ? 'update' : 'unchanged',
      changes: existing && input ? changedColumns(changed, existing, input) : [],
      errors,
      warnings,
    };
    return { report, input, townshipId: village?.townshipId ?? 0, status, existing, changed };
  });
}

export function importCounts(rows: ImportRowReport[]) {
  const c = { rows: rows.length, create: 0, update: 0, unchanged: 0, errors: 0 };
  for (const r of rows) {
    if (r.errors.length) c.errors++;
    else c[r.action]++;
  }
  return c;
}
