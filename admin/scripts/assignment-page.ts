// The village's or department's answer, and a department's records, go up with their photos as one
// multipart request: a progress bar for slow village connections, the phone's position in case the
// camera app stripped the photos' GPS, and the page updated in place rather than reloaded.

import { showError, uploadWithProgress } from './admin.ts';

let position: GeolocationPosition | null = null;
const locate = () =>
  navigator.geolocation?.getCurrentPosition(
    (p) => (position = p),
    () => undefined,
    { enableHighAccuracy: true, timeout: 8000, maximumAge: 60_000 },
  );

function done(form: HTMLFormElement, message: string) {
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

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-answer]')) {
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
    bar.value = 0;
    button.disabled = true;
    void uploadWithProgress(form.dataset.answer!, data, { progress: (p) => (bar.value = p) }).then(
      ({ status, data: answer }) => {
        button.disabled = false;
        bar.hidden = true;
        if (status >= 200 && status < 300)
          return done(
            form,
            form.id === 'answer-form' ? '已提交反馈，等待镇整治办审核。' : '已登记。刷新页面可查看全部登记。',
          );
        showError(
          form,
          status === 0 ? '网络中断，没有提交成功，请在信号好时重试' : (answer?.error?.message ?? '提交失败，请重试'),
        );
      },
    );
  });
}
