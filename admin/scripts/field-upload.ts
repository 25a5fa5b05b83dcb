// Field work saved with its photos in one multipart request (a revisit, a draw outcome; the patrol form builds its
// own), through the phone's upload queue: upload progress for slow village connections, the phone's position sent
// along in case the camera app stripped the photo's GPS, and without signal the save kept on the phone and sent later.
// <form data-field-upload="/api/admin/…" data-then="/path" data-label="回头看 · …"> with a file input named photos and
// a <progress>; data-photos-required-for="a b" on the form makes a photo required when the outcome radio or select
// is a or b.

import { showError } from './admin.ts';
import { saveFieldWork, showQueued, watchPhotos } from './field-save.ts';

/**
 * Queues the form data and sends it with a progress bar; resolves with the API's answer once saved on the server,
 * or null: refused (the form shows why) or kept on the phone for later (`queued` is told where it waits).
 */
export async function sendFieldWork(
  form: HTMLFormElement,
  url: string,
  data: FormData,
  queued: (key: string) => void = () => undefined,
) {
  const bar = form.querySelector('progress');
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (bar) bar.hidden = false;
  if (button) button.disabled = true;
  form.querySelector('.form-error')?.remove();
  const label = form.dataset.label ?? document.title.split(' · ')[0]!;
  const { key, result } = await saveFieldWork(url, data, label, { progress: (p) => bar && (bar.value = p) });
  if (result.kind === 'sent') return result;
  if (button) button.disabled = false;
  if (bar) bar.hidden = true;
  if (result.kind === 'refused') showError(form, result.message);
  else queued(key);
  return null;
}

/** Kept on the phone: the form is cleared for the next piece of work, folded away, and its note says it waits. */
export async function keptOnPhone(form: HTMLFormElement, key: string, queue: ReturnType<typeof showQueued>) {
  form.reset();
  const details = form.closest('details');
  if (details) details.open = false;
  await queue.adopt(key);
}

function photoRule(form: HTMLFormElement) {
  const needing = form.dataset.photosRequiredFor?.split(' ');
  const input = form.querySelector<HTMLInputElement>('input[type="file"][name="photos"]');
  if (!needing || !input) return;
  const apply = () => {
    const outcome = new FormData(form).get('outcome');
    input.required = needing.includes(String(outcome));
  };
  form.addEventListener('change', (e) => {
    if ((e.target as HTMLInputElement).name === 'outcome') apply();
  });
  form.addEventListener('reset', () => setTimeout(apply));
  apply();
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-field-upload]')) {
  photoRule(form);
  watchPhotos(form);
  const url = form.dataset.fieldUpload!;
  const then = form.dataset.then;
  const queue = showQueued(url, form.closest('details') ?? form, then);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    // An empty file input would be sent as an empty part: send only chosen photos.
    const photos = data.getAll('photos').filter((p) => p instanceof File && p.size > 0);
    data.delete('photos');
    for (const p of photos) data.append('photos', p);
    const done = await sendFieldWork(form, url, data, (key) => void keptOnPhone(form, key, queue));
    if (!done) return;
    if (then) location.assign(then);
    else location.reload();
  });
}
