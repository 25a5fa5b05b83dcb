import type { Db } from '../../../db/client.ts';
import { townships } from '../../../db/schema.ts';
import type { AtLevel } from '../shared/township-scope.ts';

/** Every township's name by id (a county has a few dozen): what the 镇街交界 badges name. */
export const townshipNames = (db: Pick<Db, 'select'>) =>
  new Map(
    db
      .select({ id: townships.id, name: townships.name })
      .from(townships)
      .all()
      .map((t) => [t.id, t.name]),
  );

/**
 * The other township of a 镇街交界 report (decision 024), as the viewer reads the badge: the border office is shown
 * the holder, everyone else the border township. Null for a report near no boundary.
 */
export function borderOther(
  names: Map<number, string>,
  viewer: AtLevel,
  c: { townshipId: number; borderTownshipId: number | null },
): string | null {
  if (c.borderTownshipId == null) return null;
  return names.get(viewer.townshipId === c.borderTownshipId ? c.townshipId : c.borderTownshipId) ?? null;
}

/** Where a report may be handed over to: every township but the one holding it, in the county's order. */
export const handoverTargets = (db: Pick<Db, 'select'>, holder: number) =>
  db
    .select({ id: townships.id, name: townships.name })
    .from(townships)
    .orderBy(townships.sort, townships.id)
    .all()
    .filter((t) => t.id !== holder);
