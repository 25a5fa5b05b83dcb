import { describe, expect, it } from 'vitest';
import { INSPECTION_AREAS, REMEDIATION_TYPES } from '../../db/schema-enforcement.ts';
import { checklistFor, checklistHint } from '../../api/domain/enforcement/task-checklists.ts';

// Every line a task can be given says what its photos must show, and no two lines of a task say the same.
describe('checklist hints', () => {
  it('has its own hint for every line of every type', () => {
    for (const type of REMEDIATION_TYPES) {
      const lines = checklistFor(type, {
        optional: ['remove_equipment', 'restore_land'],
        areas: [...INSPECTION_AREAS],
      });
      expect(lines.length).toBeGreaterThan(0);
      const hints = lines.map((l) => checklistHint(type, l.code));
      for (const [i, hint] of hints.entries()) expect(hint, `${type} ${lines[i]!.code}`).toMatch(/^拍.{6,}/);
      expect(new Set(hints).size).toBe(hints.length);
    }
  });

  it("tells a relocation's 搬离设备 apart from a shutdown's 拆除设备, which share a code", () => {
    expect(checklistHint('shutdown', 'remove_equipment')).toContain('拆除');
    expect(checklistHint('relocate', 'remove_equipment')).toContain('搬离');
    expect(checklistHint('shutdown', 'no_such_line')).toBeUndefined();
  });
});
