import { eq, sql, type AnyColumn, type SQL } from 'drizzle-orm';

/** The level of an account: null works for the whole county. */
export interface AtLevel {
  townshipId: number | null;
}

/** A row keyed by village lies in the township: the township's villages, looked up inside the same query. */
export const villageInTownship = (village: AnyColumn | SQL, townshipId: number): SQL =>
  sql`${village} in (select v.id from villages v where v.township_id = ${townshipId})`;

/**
 * The township condition for an office, leader or administrator account: none for the county, else the rows of its
 * township, by the row's own township column or, for rows keyed by village, by the village's township.
 */
export function townshipCondition(
  user: AtLevel,
  column: { township: AnyColumn } | { village: AnyColumn | SQL },
): SQL | undefined {
  if (user.townshipId == null) return undefined;
  return 'township' in column
    ? eq(column.township, user.townshipId)
    : villageInTownship(column.village, user.townshipId);
}
