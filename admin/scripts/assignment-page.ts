// The village's or department's answer, and a department's records, go up with their photos as one
// multipart request through the phone's upload queue: a progress bar for slow village connections, the phone's
// position in case the camera app stripped the photos' GPS, without signal kept on the phone and sent later, and the
// page updated in place rather than reloaded.

import { showError } from './admin.ts';
import { saveFieldWork, showQueued, stillQueued, watchPhotos } from './field-save.ts';

function done(form: HTMLFormElement, message: string) {
  if (!form.isConnected) return; // already shown as done
  const note = document.createElement('p');
  note.className = 'done-note';
  note.setAttribute('role', 'status');
  note.textContent = message;
  if (form.id === 'answer-form') {
    form.replaceWith(note);
    const status = document.getElementById('item-status');
    if (status) status.textContent = '已反馈待审核';
  } else {
    form.reset();
    form.querySelector('.done-note')?.remove();
    form.prepend(note);
  }
}

const SAVED = (form: HTMLFormElement) =>
  form.id === 'answer-form' ? '已提交反馈，等待整治办审核。' : '已登记。刷新页面可查看全部登记。';

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-answer]')) {
  const url = form.dataset.answer!;
  watchPhotos(form);
  const queue = showQueued(url, form.closest('details') ?? form);
  // Queued here before a reload and gone up since: the page shows it as the server has it now.
  window.addEventListener('upload-queue:sent', (e) => {
    if ((e as CustomEvent<{ url: string }>).detail.url === url && form.id === 'answer-form') done(form, SAVED(form));
  });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    const bar = form.querySelector('progress')!;
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    form.querySelector('.form-error')?.remove();
    const label = form.dataset.label ?? document.title.split(' · ')[0]!;
    const { key, result } = await saveFieldWork(url, data, label, { progress: (p) => (bar.value = p) });
    button.disabled = false;
    bar.hidden = true;
    if (result.kind === 'sent') return done(form, SAVED(form));
    if (result.kind === 'refused') return showError(form, result.message);
    // Kept on the phone, its note says so. The answer is given once: its form is away while it waits, and back if
    // the officer discards it (refused on its way up); a record's form is free for the next one.
    if (form.id === 'answer-form') {
      form.hidden = true;
      const back = async () => {
        if (!(await stillQueued(key))) {
          form.hidden = false;
          window.removeEventListener('upload-queue:change', back);
        }
      };
      window.addEventListener('upload-queue:change', back);
    } else form.reset();
    await queue.adopt(key);
  });
}
