// Evidence upload from the phone's camera: a progress bar for slow village connections, and the
// phone's position sent along in case the camera app stripped the photo's GPS.

import { showError, uploadWithProgress } from './admin.ts';

let position: GeolocationPosition | null = null;
const locate = () =>
  navigator.geolocation?.getCurrentPosition(
    (p) => (position = p),
    () => undefined,
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60_000 },
  );

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-upload]')) {
  form.querySelector('input[type="file"]')?.addEventListener('change', locate, { once: true });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    const data = new FormData(form);
    if (position) {
      data.set('lat', String(position.coords.latitude));
      data.set('lng', String(position.coords.longitude));
    }
    const bar = form.querySelector('progress')!;
    const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
    bar.hidden = false;
    button.disabled = true;
    void uploadWithProgress(form.dataset.upload!, data, { progress: (p) => (bar.value = p) }).then(
      ({ status, data: answer }) => {
        if (status >= 200 && status < 300) return location.reload();
        button.disabled = false;
        bar.hidden = true;
        showError(
          form,
          status === 0 ? '网络中断，照片没有上传，请在信号好时重试' : (answer?.error?.message ?? '上传失败，请重试'),
        );
      },
    );
  });
}
