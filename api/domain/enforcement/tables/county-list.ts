import { and, asc, eq } from 'drizzle-orm';
import type { Db } from '../../../../db/client.ts';
import { villages } from '../../../../db/schema.ts';
import { enterprises, type EnterpriseStatus } from '../../../../db/schema-enforcement.ts';
import type { StaffScope } from '../../accounts/sessions.ts';
import { DYNAMIC_LIST_COLUMNS, toSheetRow, type ListRecord } from '../dynamic-list/columns.ts';
import { LIST_COLUMNS } from '../dynamic-list/export.ts';
import { ENTERPRISE_STATUS_LABELS } from '../labels.ts';
import { enterpriseScope } from '../scope.ts';
import type { TableTownship } from './county.ts';
import type { TableColumn } from './progress.ts';

export const COUNTY_LIST_COLUMNS: TableColumn[] = DYNAMIC_LIST_COLUMNS.map((c) => ({
  header: c.header,
  width: c.width,
}));

const cell = (v: string | number | Date | null) => (v instanceof Date ? v.toISOString().slice(0, 10) : (v ?? ''));

type Counts = Record<EnterpriseStatus, number>;
const countsText = (n: number, c: Counts) =>
  [
    `共 ${n} 家`,
    ...(['done', 'in_progress', 'listed'] as const).map((s) => `${ENTERPRISE_STATUS_LABELS[s]} ${c[s]}`),
  ].join('，');
const subtotalRow = (label: string, n: number, c: Counts) => {
  const row: (string | number)[] = COUNTY_LIST_COLUMNS.map(() => '');
  row[1] = label;
  row[13] = countsText(n, c);
  return row;
};

/**
 * Seed 002's dynamic list compiled by 镇街 for the county's office: each township's lines (numbered within it) and a
 * subtotal line, then the county's. Scope: the account's own enterprises (enterpriseScope) in the townships given.
 */
export function countyListRows(db: Db, user: StaffScope, list: TableTownship[]) {
  const rows: (string | number)[][] = [];
  const subtotals: number[] = [];
  const all: Counts = { listed: 0, in_progress: 0, done: 0 };
  let total = 0;
  for (const t of list) {
    const records: ListRecord[] = db
      .select(LIST_COLUMNS)
      .from(enterprises)
      .innerJoin(villages, eq(villages.id, enterprises.villageId))
      .where(and(enterpriseScope(user), eq(enterprises.townshipId, t.id)))
      .orderBy(asc(enterprises.villageId), asc(enterprises.id))
      .all();
    const counts: Counts = { listed: 0, in_progress: 0, done: 0 };
    records.forEach((r, i) => {
      counts[r.status]++;
      all[r.status]++;
      rows.push(toSheetRow(r, i + 1).map(cell));
    });
    total += records.length;
    subtotals.push(rows.length);
    rows.push(subtotalRow(`${t.name}小计`, records.length, counts));
  }
  return { rows, subtotals, footer: subtotalRow('合计', total, all), total };
}
