// The night-patrol form: findings are repeatable rows, each with its own photos, sent in one multipart request
// whose field names say which finding each belongs to (findings.0.note, findings.0.photos …), through the phone's
// upload queue like every field form.
import { showQueued, watchPhotos } from './field-save.ts';
import { keptOnPhone, sendFieldWork } from './field-upload.ts';

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
if (form) watchPhotos(form);
const queue = form && showQueued('/api/admin/patrols', form.closest('details') ?? form, location.pathname);

// A village's patrol takes the township's accounts and that village's officers: the others are not offered.
const village = form?.querySelector<HTMLSelectElement>('select[name="villageId"]');
function offerPeople() {
  for (const label of form?.querySelectorAll<HTMLElement>('#p-people [data-village]') ?? []) {
    const other = !!village?.value && label.dataset.village !== village.value;
    label.hidden = other;
    const box = label.querySelector('input')!;
    box.disabled = other;
    if (other) box.checked = false;
  }
}
village?.addEventListener('change', offerPeople);

const value = (root: ParentNode, name: string) =>
  (root.querySelector(`[name="${name}"]`) as HTMLInputElement | null)?.value.trim() ?? '';

function body(f: HTMLFormElement) {
  const data = new FormData();
  for (const name of ['startedAt', 'endedAt', 'area', 'villageId', 'summary']) {
    const field = f.elements.namedItem(name) as HTMLInputElement | null;
    if (field) data.set(name, field.value.trim());
  }
  const people = Array.from(f.querySelectorAll<HTMLInputElement>('input[name="participantIds"]:checked'));
  data.set('participantIds', people.map((p) => p.value).join(','));
  const rows = Array.from(list?.querySelectorAll('.finding-row') ?? []);
  let n = 0;
  for (const row of rows) {
    const photos = Array.from(row.querySelector<HTMLInputElement>('input[type="file"]')?.files ?? []);
    const fields = ['enterpriseId', 'complaintId', 'note'].map((k) => [k, value(row, k)] as const);
    if (!photos.length && fields.every(([, v]) => !v)) continue; // a row left empty
    for (const [k, v] of fields) if (v) data.set(`findings.${n}.${k}`, v);
    for (const p of photos) data.append(`findings.${n}.photos`, p);
    n++;
  }
  return data;
}

form?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const area = value(form, 'area');
  form.dataset.label = `夜查 · ${area}`;
  const sent = await sendFieldWork(form, '/api/admin/patrols', body(form), (key) => {
    for (const row of list?.querySelectorAll('.finding-row') ?? []) row.remove();
    void keptOnPhone(form, key, queue!).then(offerPeople);
  });
  if (sent) location.reload();
});
