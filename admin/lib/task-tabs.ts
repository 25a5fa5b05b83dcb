/** The task list's status tabs, each a filter of its own. */
const TABS = [
  { label: '进行中', status: '', overdue: false },
  { label: '待验收', status: 'submitted', overdue: false },
  { label: '已超期', status: '', overdue: true },
  { label: '已验收', status: 'accepted', overdue: false },
  { label: '已撤销', status: 'cancelled', overdue: false },
] as const;

// What a tab keeps of the list's other filters: a county account's chosen township, the village.
const KEPT = ['townshipId', 'villageId'] as const;

/** The tabs' links for the list as asked (`search`): each keeps the township and village chosen. */
export function taskTabs(search: URLSearchParams) {
  const status = search.get('status') ?? '';
  const overdue = search.get('overdue') === '1';
  return TABS.map((t) => {
    const q = new URLSearchParams();
    if (t.status) q.set('status', t.status);
    if (t.overdue) q.set('overdue', '1');
    for (const k of KEPT) {
      const v = search.get(k);
      if (v) q.set(k, v);
    }
    const qs = q.toString();
    return {
      label: t.label,
      href: `/admin/tasks${qs ? `?${qs}` : ''}`,
      overdue: t.overdue,
      current: t.overdue ? overdue : !overdue && (t.status === status || (!t.status && status === 'active')),
    };
  });
}
