// Evidence upload from the phone's camera, without leaving the page: the chosen photos shown, a
// progress bar for slow village connections, the phone's position sent along in case the camera app
// stripped the photo's GPS, and then the line redrawn in place from the server's own markup of it
// (the page fetched again, so thumbnails and captions are drawn by one template). The upload goes through
// the phone's queue: without signal it is kept on the phone and goes up by itself later (the line is redrawn
// then), the photos stay chosen, and 重试上传 sends the same queued upload again.

import { showError } from './admin.ts';
import { picked, resend, saveFieldWork, showQueued, stillQueued } from './field-save.ts';

const previews = new WeakMap<HTMLFormElement, string[]>();

/** Thumbnails of the photos about to go up, so the officer sees he picked the right ones. */
function showChosen(form: HTMLFormElement, files: FileList | null) {
  for (const url of previews.get(form) ?? []) URL.revokeObjectURL(url);
  const list = form.querySelector<HTMLUListElement>('.chosen')!;
  const urls = Array.from(files ?? []).map((f) => URL.createObjectURL(f));
  previews.set(form, urls);
  list.replaceChildren(
    ...urls.map((url, i) => {
      const li = document.createElement('li');
      const img = document.createElement('img');
      img.src = url;
      img.alt = `待上传照片 ${i + 1}`;
      li.append(img);
      return li;
    }),
  );
  list.hidden = urls.length === 0;
  form.classList.toggle('has-photos', urls.length > 0);
  const text = form.querySelector('.camera-text')!;
  text.textContent = urls.length
    ? `已选 ${urls.length} 张 · 重拍`
    : form.dataset.done === undefined
      ? '拍照'
      : '补拍照片';
  form.querySelector('.form-error')?.remove();
}

function setState(form: HTMLFormElement, text: string, percent?: number) {
  const bar = form.querySelector('progress')!;
  bar.hidden = percent === undefined;
  if (percent !== undefined) bar.value = percent;
  form.querySelector('.upload-state')!.textContent = text;
}

/** The line as the server now draws it, and the submit form's list of what is still missing. */
async function redraw(line: HTMLLIElement, count: number) {
  const res = await fetch(location.pathname, { headers: { accept: 'text/html' }, cache: 'no-store' });
  if (!res.ok) throw new Error(String(res.status));
  const fresh = new DOMParser().parseFromString(await res.text(), 'text/html');
  const next = fresh.getElementById(line.id);
  if (!next) throw new Error('line gone');
  const note = document.createElement('p');
  note.className = 'done-note';
  note.setAttribute('role', 'status');
  note.textContent = `已上传 ${count} 张照片，此项已完成。`;
  next.querySelector('h3')!.after(note);
  line.replaceWith(next);
  next.querySelector<HTMLElement>('h3')!.focus();
  const missing = document.getElementById('missing');
  const nowMissing = fresh.getElementById('missing');
  if (missing && nowMissing) missing.textContent = nowMissing.textContent;
  else missing?.remove();
  const submit = document.querySelector<HTMLButtonElement>('#submit-form button[type="submit"]');
  const freshSubmit = fresh.querySelector<HTMLButtonElement>('#submit-form button[type="submit"]');
  if (submit && freshSubmit) submit.disabled = freshSubmit.disabled;
}

/** The evidence forms' notes of uploads still queued on this phone (after a reload without signal). */
function noteQueued(root: ParentNode) {
  for (const form of root.querySelectorAll<HTMLFormElement>('form[data-upload]'))
    showQueued(form.dataset.upload!, form.closest('details') ?? form);
}

/** Saved, but the page could not be fetched again: say so, and mark the line done as the server did. */
function markDone(form: HTMLFormElement, line: HTMLLIElement, count: number) {
  line.classList.add('done');
  const tag = line.querySelector('h3 .tag');
  if (tag) tag.textContent = '已完成';
  const note = document.createElement('p');
  note.className = 'done-note';
  note.setAttribute('role', 'status');
  note.textContent = `已上传 ${count} 张照片，此项已完成。网络不稳，刷新页面后可看到照片。`;
  form.replaceWith(note);
}

const finished = new WeakSet<HTMLFormElement>();
/** On the server: the line as the server now draws it (once, whether its send or the queue's got there first). */
function uploaded(form: HTMLFormElement, count: number) {
  if (finished.has(form) || !form.isConnected) return;
  finished.add(form);
  const line = form.closest<HTMLLIElement>('#checklist > li')!;
  setState(form, '已保存，正在显示照片…');
  return redraw(line, count)
    .then(() => noteQueued(document.getElementById(line.id) ?? document))
    .catch(() => markDone(form, line, count));
}

/** The form's upload still waiting in the queue, and what it held, so that 重试上传 sends that same upload. */
const waiting = new WeakMap<HTMLFormElement, { key: string; holds: string }>();
const holds = (data: FormData) =>
  JSON.stringify([...data].map(([k, v]) => (typeof v === 'string' ? [k, v] : [k, v.name, v.size, v.lastModified])));

async function upload(form: HTMLFormElement) {
  const input = form.querySelector<HTMLInputElement>('input[type="file"]')!;
  const count = input.files?.length ?? 0;
  if (!count) return showError(form, '请先点“拍照”拍下现场照片');
  const data = new FormData(form);
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  button.disabled = true;
  form.querySelector('.form-error')?.remove();
  setState(form, '正在上传 0%', 0);
  const on = {
    progress: (p: number) => setState(form, `正在上传 ${p}%`, p),
    sent: () => setState(form, '已上传，正在处理照片…', 100),
  };
  const before = waiting.get(form);
  const same = before && before.holds === holds(data) && (await stillQueued(before.key));
  const label = form.dataset.label ?? document.title.split(' · ')[0]!;
  const { key, result } = same
    ? { key: before.key, result: await resend(before.key, on) }
    : await saveFieldWork(form.dataset.upload!, data, label, on);
  if (result.kind === 'sent') return uploaded(form, count);
  button.disabled = false;
  setState(form, '');
  if (result.kind === 'refused') {
    waiting.delete(form);
    return showError(form, result.message);
  }
  waiting.set(form, { key, holds: holds(data) });
  button.textContent = '重试上传';
  const why =
    navigator.onLine === false ? '手机没有网络' : result.message.startsWith('网络') ? '网络中断' : '服务器暂时不可用';
  showError(
    form,
    `${why}，照片还没传上去。已选的 ${count} 张照片还在，已保存在手机上，有信号时自动上传；也可以到信号好的地方点“重试上传”。`,
  );
}

// An upload of this page that went up from the queue (now, or queued before a reload): its line as the server has it.
window.addEventListener('upload-queue:sent', (e) => {
  const { url, photos } = (e as CustomEvent<{ url: string; photos: number }>).detail;
  const form = document.querySelector<HTMLFormElement>(`form[data-upload="${CSS.escape(url)}"]`);
  if (form) void uploaded(form, photos);
});
noteQueued(document);

document.addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  const form = input.closest?.<HTMLFormElement>('form[data-upload]');
  if (!form || input.type !== 'file') return;
  picked(input);
  showChosen(form, input.files);
});

document.addEventListener('submit', (event) => {
  const form = event.target as HTMLFormElement;
  if (!form.dataset.upload) return;
  event.preventDefault();
  void upload(form);
});
