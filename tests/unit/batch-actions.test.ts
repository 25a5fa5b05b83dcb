import { describe, expect, it } from 'vitest';
import { actionInput, batchActionInput } from '../../api/domain/complaints/workflow.ts';

// A batch applies each complaint's action through the single-complaint path: what the batch
// accepts must be read the same way there, and what it refuses must be refused for the same reason.
const bodies = [
  { action: 'accept' },
  { action: 'accept', reply: '已受理' },
  { action: 'reject', reason: '重复举报', detail: '与 #12 相同' },
  { action: 'assign', villageId: '3', departmentIds: [1, '2'], reply: '已交办属地' },
  { action: 'assign', villageId: 3 },
];

describe('batch actions', () => {
  it("are read as the single-complaint action with the item's version", () => {
    for (const body of bodies) {
      const batch = batchActionInput.parse(body);
      expect(actionInput.parse({ ...body, version: 4 })).toEqual({ ...batch, version: 4 });
    }
  });

  it('refuse a field as the single action does', () => {
    for (const body of [
      { action: 'reject', reason: '看不顺眼' },
      { action: 'assign' },
      { action: 'assign', villageId: 'x' },
    ]) {
      const batch = batchActionInput.safeParse(body);
      const single = actionInput.safeParse({ ...body, version: 4 });
      expect(batch.success).toBe(false);
      expect(batch.error?.issues.map((i) => i.message)).toEqual(single.error?.issues.map((i) => i.message));
    }
  });

  it('take only accept, reject and assign', () => {
    for (const action of ['merge', 'close', 'note', 'nope']) {
      expect(batchActionInput.safeParse({ action, note: 'x', targetId: 1 }).error?.issues[0]?.message).toBe(
        '批量操作只支持受理、不予受理和交办',
      );
    }
  });
});
