// Evidence upload from the phone's camera, without leaving the page: the chosen photos shown, a
// progress bar for slow village connections, the phone's position sent along in case the camera app
// stripped the photo's GPS, and then the line redrawn in place from the server's own markup of it
// (the page fetched again, so thumbnails and captions are drawn by one template). A failed upload
// keeps the photos chosen for a retry.

import { showError, uploadWithProgress } from './admin.ts';

let position: GeolocationPosition | null = null;
const locate = () =>
  navigator.geolocation?.getCurrentPosition(
    (p) => (position = p),
    () => undefined,
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60_000 },
  );

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

async function upload(form: HTMLFormElement) {
  const input = form.querySelector<HTMLInputElement>('input[type="file"]')!;
  const count = input.files?.length ?? 0;
  if (!count) return showError(form, '请先点“拍照”拍下现场照片');
  const data = new FormData(form);
  if (position) {
    data.set('lat', String(position.coords.latitude));
    data.set('lng', String(position.coords.longitude));
  }
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  button.disabled = true;
  form.querySelector('.form-error')?.remove();
  setState(form, '正在上传 0%', 0);
  const { status, data: answer } = await uploadWithProgress(form.dataset.upload!, data, {
    progress: (p) => setState(form, `正在上传 ${p}%`, p),
    sent: () => setState(form, '已上传，正在处理照片…', 100),
  });
  if (status >= 200 && status < 300) {
    const line = form.closest<HTMLLIElement>('#checklist > li')!;
    setState(form, '已保存，正在显示照片…');
    return redraw(line, count).catch(() => markDone(form, line, count));
  }
  button.disabled = false;
  setState(form, '');
  if (status === 0) {
    button.textContent = '重试上传';
    return showError(form, `网络中断，照片没有传上去。已选的 ${count} 张照片还在，请到信号好的地方点“重试上传”。`);
  }
  showError(form, answer?.error?.message ?? '上传失败，请重试');
}

document.addEventListener('change', (event) => {
  const input = event.target as HTMLInputElement;
  const form = input.closest?.<HTMLFormElement>('form[data-upload]');
  if (!form || input.type !== 'file') return;
  locate();
  showChosen(form, input.files);
});

document.addEventListener('submit', (event) => {
  const form = event.target as HTMLFormElement;
  if (!form.dataset.upload) return;
  event.preventDefault();
  void upload(form);
});
