import { callApi } from './admin.ts';

const picks = () => Array.from(document.querySelectorAll<HTMLInputElement>('input.pick'));
const selected = () =>
  picks()
    .filter((p) => p.checked)
    .map((p) => ({ id: Number(p.value), version: Number(p.dataset.version) }));
const count = document.getElementById('bulk-count');
const result = document.getElementById('bulk-result');
const refresh = () => count && (count.textContent = `已选 ${selected().length} 条`);

document.getElementById('select-all')?.addEventListener('change', (e) => {
  for (const p of picks()) p.checked = (e.target as HTMLInputElement).checked;
  refresh();
});
document.addEventListener('change', (e) => (e.target as HTMLElement).classList?.contains('pick') && refresh());

for (const button of document.querySelectorAll<HTMLButtonElement>('[data-bulk]')) {
  button.addEventListener('click', async () => {
    const items = selected();
    if (!items.length) return void (result!.textContent = '请先勾选举报');
    const kind = button.dataset.bulk!;
    if (kind === 'reject' && !confirm(`确定对选中的 ${items.length} 条举报“不予受理”吗？理由将告知举报人。`)) return;
    const action =
      kind === 'reject'
        ? { action: 'reject', reason: (document.getElementById('bulk-reason') as HTMLSelectElement).value }
        : kind === 'assign'
          ? {
              action: 'assign',
              villageId: Number((document.getElementById('bulk-village') as HTMLSelectElement).value) || 0,
            }
          : { action: 'accept' };
    const { ok, data } = await callApi('/api/admin/complaint-batch', 'POST', { items, action });
    if (!ok) return void (result!.textContent = data?.error?.message ?? '操作失败');
    const failed = (data.results as { ok: boolean; message?: string }[]).filter((r) => !r.ok);
    const failures = data.results
      .filter((r: { ok: boolean }) => !r.ok)
      .map((r: { id: number; message: string }) => `#${r.id}：${r.message}`);
    result!.textContent = failed.length
      ? `${items.length - failed.length} 条成功，${failed.length} 条未处理（${failures.join('；')}）`
      : `${items.length} 条已处理`;
    // Show the new statuses; a partial failure's message stays long enough to read.
    setTimeout(() => location.reload(), failed.length ? 4000 : 400);
  });
}

// On a phone the filters fold away unless some are in use, so the list comes first.
const filters = document.getElementById('filter-box') as HTMLDetailsElement | null;
const filtering = [...new URLSearchParams(location.search).keys()].some((k) => k !== 'after' && k !== 'sort');
if (filters && matchMedia('(max-width: 700px)').matches && !filtering) filters.open = false;
