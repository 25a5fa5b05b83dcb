// Back-office forms send JSON to the admin API and reload on success; one handler for all of them.
// <form data-api="/api/admin/…" data-method="POST" data-then="reload|/path">; inputs with
// data-number become numbers, checkboxes with data-list become arrays of numbers (data-list="text":
// of strings), and a dotted name fills a nested object.
import { forgetOfflinePages, startOfflineApp } from './offline-app.ts';

function formJson(form: HTMLFormElement): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const el of Array.from(form.elements) as HTMLInputElement[]) {
    if (!el.name || el.disabled) continue;
    // "problems.fire" fills out.problems.fire: one form field per key of a nested object.
    const [head, key] = el.name.split('.', 2) as [string, string | undefined];
    const target = key
      ? (((out[head] as Record<string, unknown> | undefined) ?? (out[head] = {})) as Record<string, unknown>)
      : out;
    const name = key ?? head;
    if (el.dataset.list !== undefined) {
      const list = (target[name] as unknown[] | undefined) ?? [];
      if (el.checked) list.push(el.dataset.list === 'text' ? el.value : Number(el.value));
      target[name] = list;
    } else if ((el.type === 'checkbox' || el.type === 'radio') && !el.checked) {
    } else if (el.value !== '') {
      target[name] = el.dataset.number !== undefined ? Number(el.value) : el.value;
    }
  }
  return out;
}

export async function callApi(
  url: string,
  method: string,
  body?: unknown,
  // biome-ignore lint/suspicious/noExplicitAny: each endpoint answers its own shape; each caller reads its own fields
): Promise<{ ok: boolean; status: number; data: any }> {
  const res = await fetch(url, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const data = await res.json().catch(() => ({}));
  return { ok: res.ok, status: res.status, data };
}

/** A POST whose upload progress is shown (fetch reports none); status 0 when the network failed. */
export function uploadWithProgress(
  url: string,
  body: XMLHttpRequestBodyInit,
  on: {
    contentType?: string;
    headers?: Record<string, string>;
    progress?: (percent: number) => void;
    sent?: () => void;
  } = {},
  // biome-ignore lint/suspicious/noExplicitAny: as callApi's
): Promise<{ status: number; data: any }> {
  return new Promise((resolve) => {
    const xhr = new XMLHttpRequest();
    xhr.open('POST', url);
    if (on.contentType) xhr.setRequestHeader('content-type', on.contentType);
    for (const [name, value] of Object.entries(on.headers ?? {})) xhr.setRequestHeader(name, value);
    xhr.upload.onprogress = (e) => {
      if (e.lengthComputable) on.progress?.(Math.round((e.loaded / e.total) * 100));
    };
    xhr.upload.onload = () => on.sent?.();
    xhr.onload = () => {
      // biome-ignore lint/suspicious/noExplicitAny: as callApi's
      let data: any = {};
      try {
        data = JSON.parse(xhr.responseText);
      } catch {
        /* not JSON: the caller's generic message */
      }
      resolve({ status: xhr.status, data });
    };
    xhr.onerror = () => resolve({ status: 0, data: {} });
    xhr.send(body);
  });
}

export function showError(form: HTMLFormElement, message: string) {
  let box = form.querySelector<HTMLElement>('.form-error');
  if (!box) {
    box = document.createElement('p');
    box.className = 'form-error';
    box.setAttribute('role', 'alert');
    form.append(box);
  }
  box.textContent = message;
}

/** Where to go after login: only a back-office path on this site, never another origin. */
function safeNext(): string {
  const next = new URLSearchParams(location.search).get('next') ?? '';
  return /^\/admin(\/|$|\?)/.test(next) ? next : '/admin';
}

document.addEventListener('submit', async (event) => {
  const form = event.target as HTMLFormElement;
  if (!form.dataset.api) return;
  event.preventDefault();
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"], button:not([type])');
  if (button) button.disabled = true;
  try {
    const { ok, data } = await callApi(form.dataset.api, form.dataset.method ?? 'POST', formJson(form));
    if (!ok) return showError(form, data?.error?.message ?? '操作失败，请重试');
    form.querySelector('.form-error')?.remove();
    const then = form.dataset.then ?? 'reload';
    form.dispatchEvent(new CustomEvent('api:done', { detail: data, bubbles: true }));
    if (then === 'reload') location.reload();
    // "/admin/tasks/{id}": go to what the answer created.
    else if (then !== 'stay')
      location.assign(then === 'next' ? safeNext() : then.replace('{id}', String(Number(data?.id))));
  } catch {
    showError(form, '网络错误，请重试');
  } finally {
    if (button) button.disabled = false;
  }
});

// The forms' buttons take clicks from now on (admin.css).
document.documentElement.dataset.formsReady = '';

startOfflineApp();

document.getElementById('logout')?.addEventListener('click', async () => {
  await forgetOfflinePages();
  await callApi('/api/admin/session', 'DELETE');
  location.assign('/admin/login');
});
