// Upload of a department's register or figures: the file itself is sent (not a form), with a progress bar;
// a refused file's errors are listed by line, a done import's counts said, then the page reloads its lists.
import { uploadWithProgress } from './admin.ts';

interface Answer {
  counts?: { rowsRead: number; inserted: number; updated: number; unchanged: number };
  unmatched?: number;
  sameAs?: number | null;
  errors?: { line: number; message: string }[];
  errorCount?: number;
  error?: { message: string };
}

for (const form of document.querySelectorAll<HTMLFormElement>('form[data-upload]')) {
  const status = form.querySelector<HTMLElement>('[role="status"]')!;
  const bar = form.querySelector<HTMLProgressElement>('progress')!;
  const list = form.querySelector<HTMLOListElement>('ol.import-errors')!;
  const button = form.querySelector<HTMLButtonElement>('button[type="submit"]')!;
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    const input = form.querySelector<HTMLInputElement>('input[type="file"]')!;
    const file = input.files?.[0];
    if (!file) return;
    const query = new URLSearchParams({ fileName: file.name });
    for (const el of form.querySelectorAll<HTMLInputElement | HTMLSelectElement>('[data-query]')) {
      if (el.value !== '') query.set(el.name, el.value);
    }
    list.replaceChildren();
    bar.hidden = false;
    bar.value = 0;
    button.disabled = true;
    status.textContent = '正在上传…';
    const { status: code, data } = (await uploadWithProgress(`${form.dataset.upload}?${query}`, file, {
      contentType: 'application/octet-stream',
      progress: (p) => {
        bar.value = p;
        status.textContent = `正在上传… ${p}%`;
      },
      sent: () => {
        bar.removeAttribute('value');
        status.textContent = '正在逐行检查并匹配档案…';
      },
    })) as { status: number; data: Answer };
    bar.hidden = true;
    button.disabled = false;
    if (code === 200 && data.counts) {
      const c = data.counts;
      const same = data.sameAs ? `（与第 ${data.sameAs} 次导入的文件相同）` : '';
      status.textContent =
        `导入完成${same}：读取 ${c.rowsRead} 行，新增 ${c.inserted}，更新 ${c.updated}，无变化 ${c.unchanged}，` +
        `未匹配档案 ${data.unmatched ?? 0}。正在刷新…`;
      setTimeout(() => location.reload(), 1500);
      return;
    }
    status.textContent = data.error?.message ?? (code === 0 ? '网络错误，请重试' : '导入失败，请重试');
    for (const e of data.errors ?? []) {
      const li = document.createElement('li');
      li.textContent = `第 ${e.line} 行：${e.message}`;
      list.append(li);
    }
  });
}
