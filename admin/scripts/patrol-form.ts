// The night-patrol form: findings are repeatable rows, sent as a list the generic form handler cannot build.
import { callApi, showError } from './admin.ts';

const form = document.getElementById('patrol-form') as HTMLFormElement | null;
const list = document.getElementById('findings');
const template = document.getElementById('finding-row') as HTMLTemplateElement | null;

function addRow() {
  if (!list || !template) return;
  list.append(template.content.cloneNode(true));
  list.querySelector<HTMLSelectElement>('.finding-row:last-child select')?.focus();
}

document.getElementById('add-finding')?.addEventListener('click', addRow);
list?.addEventListener('click', (e) => {
  const button = (e.target as HTMLElement).closest('[data-remove-finding]');
  button?.closest('.finding-row')?.remove();
});

const value = (root: ParentNode, name: string) =>
  (root.querySelector(`[name="${name}"]`) as HTMLInputElement | null)?.value.trim() ?? '';
const id = (v: string) => (v ? Number(v) : undefined);

function body(f: HTMLFormElement) {
  const findings = Array.from(list?.querySelectorAll('.finding-row') ?? [])
    .map((row) => ({
      enterpriseId: id(value(row, 'enterpriseId')),
      complaintId: id(value(row, 'complaintId')),
      note: value(row, 'note'),
    }))
    .filter((r) => r.enterpriseId || r.complaintId || r.note);
  const top = (name: string) => (f.elements.namedItem(name) as HTMLInputElement | null)?.value.trim() ?? '';
  return {
    startedAt: top('startedAt'),
    endedAt: top('endedAt'),
    area: top('area'),
    villageId: id(top('villageId')),
    participants: top('participants'),
    summary: top('summary'),
    findings,
  };
}

form?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (button) button.disabled = true;
  try {
    const { ok, data } = await callApi('/api/admin/patrols', 'POST', body(form));
    if (ok) return location.reload();
    showError(form!, data?.error?.message ?? '保存失败，请重试');
  } catch {
    showError(form!, '网络错误，请重试');
  } finally {
    if (button) button.disabled = false;
  }
});
