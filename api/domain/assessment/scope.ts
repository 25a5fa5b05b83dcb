import type { AssessedLevel } from '../../../db/schema-county.ts';
import type { StaffScope } from '../accounts/sessions.ts';
import { fail } from '../shared/result.ts';
import { OFFICE_READ, type Roles } from '../shared/roles.ts';

/**
 * What an account may see of the scorecards (docs/decisions/026-assessment.md): the county's office, leaders and the
 * administrator every unit; a township's office or leader its own villages and 站所, and its own township's card with
 * its place in the county as a number only (never another township's figures or records); a department its own card
 * with its place. Villages are assessed, and see nothing here.
 */
export type AssessmentView =
  | { ok: true; level: AssessedLevel; townshipId?: number; unitId?: number; placeOnly: boolean }
  | ReturnType<typeof fail>;

export const defaultLevel = (scope: StaffScope): AssessedLevel =>
  scope.role === 'department' ? 'department' : scope.townshipId == null ? 'township' : 'village';

export function assessmentView(scope: StaffScope, level: AssessedLevel): AssessmentView {
  if (scope.role === 'village') return fail(403, '村（社区）账号不查看考核排名');
  if (scope.role === 'department') {
    if (level !== 'department' || scope.departmentId == null) return fail(403, '部门账号只能查看本部门的考核');
    return { ok: true, level, unitId: scope.departmentId, placeOnly: true };
  }
  if (scope.townshipId == null) return { ok: true, level, placeOnly: false };
  if (level === 'township') return { ok: true, level, unitId: scope.townshipId, placeOnly: true };
  return { ok: true, level, townshipId: scope.townshipId, placeOnly: false };
}

/** Who reads the scorecards: the offices and leaders (each in its view), and a department its own card. */
export const ASSESSMENT_READERS: Roles = [...OFFICE_READ, 'department'];
