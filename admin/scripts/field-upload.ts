// Field work saved with its photos in one multipart request (a revisit, a draw outcome; the patrol form builds its
// own): upload progress for slow village connections, and the phone's position sent along in case the camera app
// stripped the photo's GPS.
// <form data-field-upload="/api/admin/…" data-then="/path"> with a file input named photos and a <progress>;
// data-photos-required-for="a b" on the form makes a photo required when the outcome radio or select is a or b.

import { showError, uploadWithProgress } from './admin.ts';

let position: GeolocationPosition | null = null;
/** Asks once for the phone's position, when the first photo is chosen (not before: no prompt on page load). */
export const locate = () =>
  navigator.geolocation?.getCurrentPosition(
    (p) => (position = p),
    () => undefined,
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60_000 },
  );

/** Sends the form data with the phone's position and a progress bar; resolves with the API's answer. */
export async function sendFieldWork(form: HTMLFormElement, url: string, data: FormData) {
  if (position) {
    data.set('lat', String(position.coords.latitude));
    data.set('lng', String(position.coords.longitude));
  }
  const bar = form.querySelector('progress');
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]');
  if (bar) bar.hidden = false;
  if (button) button.disabled = true;
  const answer = await uploadWithProgress(url, data, { progress: (p) => bar && (bar.value = p) });
  if (answer.status >= 200 && answer.status < 300) return answer;
  if (button) button.disabled = false;
  if (bar) bar.hidden = true;
  showError(
    form,
    answer.status === 0 ? '网络中断，没有保存，请在信号好时重试' : (answer.data?.error?.message ?? '保存失败，请重试'),
  );
  return null;
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
  apply();
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-field-upload]')) {
  photoRule(form);
  form.querySelector('input[type="file"]')?.addEventListener('change', locate, { once: true });
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const data = new FormData(form);
    // An empty file input would be sent as an empty part: send only chosen photos.
    const photos = data.getAll('photos').filter((p) => p instanceof File && p.size > 0);
    data.delete('photos');
    for (const p of photos) data.append('photos', p);
    const done = await sendFieldWork(form, form.dataset.fieldUpload!, data);
    if (!done) return;
    const then = form.dataset.then;
    if (then) location.assign(then);
    else location.reload();
  });
}
