import { callApi } from './admin.ts';

const picks = () => Array.from(document.querySelectorAll<HTMLInputElement>('input.pick'));
const selected = () => picks().filter((p) => p.checked).map((p) => ({ id: Number(p.value), version: Number(p.dataset.version) }));
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
    const action =
      kind === 'reject' ? { action: 'reject', reason: (document.getElementById('bulk-reason') as HTMLSelectElement).value }
      : kind === 'assign' ? { action: 'assign', villageId: Number((document.getElementById('bulk-village') as HTMLSelectElement).value) || 0 }
      : { action: 'accept' };
    const { ok, data } = await callApi('/api/admin/complaint-batch', 'POST', { items, action });
    if (!ok) return void (result!.textContent = data?.error?.message ?? '操作失败');
    const failed = (data.results as { ok: boolean; message?: string }[]).filter((r) => !r.ok);
    result!.textContent = failed.length ? `${items.length - failed.length} 条成功，${failed.length} 条失败：${failed[0]!.message}` : `${items.length} 条已处理`;
    if (!failed.length) setTimeout(() => location.reload(), 400);
  });
}
