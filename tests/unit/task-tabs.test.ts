import { describe, expect, it } from 'vitest';
import { taskTabs } from '../../admin/lib/task-tabs.ts';

// A county account's chosen township (?townshipId=) stays chosen when he moves between the task list's tabs.
describe('the task list status tabs', () => {
  it('keep the chosen township and village in every link', () => {
    const tabs = taskTabs(new URLSearchParams('townshipId=2&villageId=7&status=submitted'));
    expect(tabs.map((t) => t.href)).toEqual([
      '/admin/tasks?townshipId=2&villageId=7',
      '/admin/tasks?status=submitted&townshipId=2&villageId=7',
      '/admin/tasks?overdue=1&townshipId=2&villageId=7',
      '/admin/tasks?status=accepted&townshipId=2&villageId=7',
      '/admin/tasks?status=cancelled&townshipId=2&villageId=7',
    ]);
    expect(tabs.filter((t) => t.current).map((t) => t.label)).toEqual(['待验收']);
  });

  it('stay plain without a filter, the first tab current', () => {
    const tabs = taskTabs(new URLSearchParams());
    expect(tabs[0]).toMatchObject({ href: '/admin/tasks', current: true });
    expect(tabs.filter((t) => t.current)).toHaveLength(1);
    expect(taskTabs(new URLSearchParams('overdue=1&townshipId=3')).find((t) => t.current)?.label).toBe('已超期');
  });
});
