// The utility's files: upload with a progress bar, then the import's own progress (reading, writing) polled
// until it ends, and the page reloaded to show it in the list with its counts or errors by line.
import { uploadWithProgress } from './admin.ts';

const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T | null;
const form = $<HTMLFormElement>('readings-form');
const fileInput = $<HTMLInputElement>('import-file');
const list = $<HTMLSelectElement>('import-list');
const township = $<HTMLSelectElement>('import-township');
const box = $('import-progress');
const bar = $<HTMLProgressElement>('import-bar');
const text = $('import-text');
const errorBox = $('import-error');

interface ImportView {
  status: 'running' | 'done' | 'failed' | 'interrupted';
  phase: 'reading' | 'writing' | null;
  percent: number;
}

function show(percent: number | null, message: string) {
  if (!box || !bar || !text) return;
  box.hidden = false;
  if (percent === null) bar.removeAttribute('value');
  else bar.value = percent;
  text.textContent = message;
}
function fail(message: string) {
  if (box) box.hidden = true;
  if (errorBox) {
    errorBox.hidden = false;
    errorBox.textContent = message;
  }
}

const PHASE = { reading: '正在检查每一行', writing: '正在写入' } as const;

/** Polls the import every half second until it ends, then reloads the page. */
async function follow(id: number) {
  for (;;) {
    const res = await fetch(`/api/admin/watch/imports/${id}`);
    if (!res.ok) return fail('无法读取导入进度，请刷新页面');
    const v = (await res.json()) as ImportView;
    if (v.status !== 'running') break;
    show(v.percent, `${v.phase ? PHASE[v.phase] : '准备中'}… ${v.percent}%`);
    await new Promise((r) => setTimeout(r, 500));
  }
  location.reload();
}

form?.addEventListener('submit', async (e) => {
  e.preventDefault();
  const file = fileInput?.files?.[0];
  if (!file) return fail('请选择要导入的文件');
  if (errorBox) errorBox.hidden = true;
  const query = new URLSearchParams({ list: list?.value ?? 'readings', name: file.name });
  // A county account's choice; a township account's imports go to its own township.
  if (township?.value) query.set('townshipId', township.value);
  show(0, '正在上传…');
  const answer = await uploadWithProgress(`/api/admin/watch/imports?${query}`, file, {
    contentType: 'application/octet-stream',
    progress: (p) => show(p, `正在上传… ${p}%`),
    sent: () => show(null, '上传完成，正在开始导入…'),
  });
  if (answer.status !== 202) return fail(answer.data?.error?.message ?? '上传失败，请重试');
  await follow(answer.data.id as number);
});

// An import already running when the page was opened: follow it too.
const running = document.querySelector<HTMLElement>('[data-running]')?.dataset.running;
if (running) void follow(Number(running));
