import { eq } from 'drizzle-orm';
import type { Db } from '../../../db/client.ts';
import { townships, villages } from '../../../db/schema.ts';
import { enterprises, INSPECTION_AREAS, REMEDIATION_TYPES, STRUCTURES } from '../../../db/schema-enforcement.ts';
import type { StaffUser } from '../accounts/sessions.ts';
import { visibleEnterprise } from './scope.ts';
import { AREA_LABELS, REMEDIATION_LABELS, STRUCTURE_LABELS } from './labels.ts';

/** One enterprise file as the survey form of seed 000 (附件1) lays it out; null if not visible. */
export function surveyForm(db: Db, user: StaffUser, id: number) {
  const row = db
    .select({ enterprise: enterprises, villageName: villages.name, townshipName: townships.name })
    .from(enterprises)
    .innerJoin(villages, eq(villages.id, enterprises.villageId))
    .innerJoin(townships, eq(townships.id, enterprises.townshipId))
    .where(visibleEnterprise(user, id))
    .get();
  if (!row) return null;
  const e = row.enterprise;
  return {
    ...row,
    // The paper form asks for every line to be filled in, "无" where there is no problem.
    areas: INSPECTION_AREAS.map((a) => ({ label: AREA_LABELS[a], text: e.problems[a] || '无' })),
    structures: STRUCTURES.map((s) => ({ label: STRUCTURE_LABELS[s], checked: e.structure === s })),
    remediations: REMEDIATION_TYPES.map((t) => ({ label: REMEDIATION_LABELS[t], checked: e.remediationType === t })),
  };
}
