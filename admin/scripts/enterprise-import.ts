// Import of the dynamic list: upload with a progress bar, a line-by-line preview, then commit.
import { uploadWithProgress } from './admin.ts';

interface RowReport {
  row: number;
  name: string;
  villageName: string | null;
  action: 'create' | 'update' | 'unchanged';
  changes: string[];
  errors: { column: string; message: string }[];
  warnings: string[];
}
interface Counts {
  rows: number;
  create: number;
  update: number;
  unchanged: number;
  errors: number;
}
interface Answer {
  status: number;
  data: { rows?: RowReport[]; counts?: Counts; error?: { message: string } };
}

const XLSX = 'application/vnd.openxmlformats-officedocument.spreadsheetml.sheet';
const SHOWN = 500;
const ACTIONS = { create: '新建', update: '更新', unchanged: '无变化' } as const;
const $ = <T extends HTMLElement>(id: string) => document.getElementById(id) as T;
const fileInput = $<HTMLInputElement>('import-file');
const progressBox = $('import-progress'),
  bar = $<HTMLProgressElement>('upload-bar'),
  barText = $('upload-text');
const errorBox = $('import-error'),
  preview = $('preview'),
  commitButton = $<HTMLButtonElement>('import-commit');
const resultBox = $('import-result');
let file: File | null = null;

function showError(message: string | null) {
  errorBox.hidden = !message;
  errorBox.textContent = message ?? '';
}

/** POSTs the file itself; the bar follows the upload, then says the server is checking. */
async function send(url: string, body: File, checking: string): Promise<Answer> {
  progressBox.hidden = false;
  bar.value = 0;
  barText.textContent = '正在上传…';
  const answer = await uploadWithProgress(url, body, {
    contentType: XLSX,
    progress: (p) => {
      bar.value = p;
      barText.textContent = `正在上传… ${p}%`;
    },
    sent: () => {
      bar.removeAttribute('value'); // indeterminate while the server reads the lines
      barText.textContent = checking;
    },
  });
  progressBox.hidden = true;
  return answer.status === 0 ? { status: 0, data: { error: { message: '网络错误，请重试' } } } : answer;
}

function cell(tr: HTMLTableRowElement, content: string | Node) {
  const td = tr.insertCell();
  td.append(content);
  return td;
}

function list(items: { text: string; cls: string }[]) {
  const ul = document.createElement('ul');
  for (const i of items) {
    const li = document.createElement('li');
    li.className = i.cls;
    li.textContent = i.text;
    ul.append(li);
  }
  return ul;
}

function render(rows: RowReport[], counts: Counts) {
  preview.hidden = false;
  $('preview-counts').textContent =
    `共 ${counts.rows} 行：新建 ${counts.create}，更新 ${counts.update}，无变化 ${counts.unchanged}，有错误 ${counts.errors}`;
  const tbody = $('preview-rows');
  tbody.replaceChildren();
  // The lines to fix come first.
  const ordered = [...rows].sort((a, b) => Number(b.errors.length > 0) - Number(a.errors.length > 0) || a.row - b.row);
  for (const r of ordered.slice(0, SHOWN)) {
    const tr = document.createElement('tr');
    if (r.errors.length) tr.className = 'has-error';
    cell(tr, String(r.row));
    cell(tr, r.name || '（空）');
    cell(tr, r.villageName ?? '—');
    cell(tr, r.errors.length ? '有错误' : ACTIONS[r.action]);
    cell(
      tr,
      list([
        ...r.errors.map((e) => ({ text: `${e.column}：${e.message}`, cls: 'err' })),
        ...r.warnings.map((w) => ({ text: w, cls: 'warn' })),
        ...(r.action === 'update' && !r.errors.length ? [{ text: `修改：${r.changes.join('、')}`, cls: '' }] : []),
      ]),
    );
    tbody.append(tr);
  }
  const more = $('preview-more');
  more.hidden = rows.length <= SHOWN;
  more.textContent = `只列出 ${SHOWN} 行（有错误的行在前），其余 ${rows.length - SHOWN} 行未列出。`;
  const nothing = counts.create + counts.update === 0;
  commitButton.disabled = counts.errors > 0 || nothing;
  $('commit-hint').textContent =
    counts.errors > 0 ? '请改正有错误的行后重新选择文件' : nothing ? '没有需要导入的内容' : '';
}

fileInput.addEventListener('change', async () => {
  file = fileInput.files?.[0] ?? null;
  preview.hidden = resultBox.hidden = true;
  commitButton.disabled = true;
  showError(null);
  if (!file) return;
  const r = await send('/api/admin/imports/dynamic-list/preview', file, '正在校验…');
  if (r.data.rows && r.data.counts) render(r.data.rows, r.data.counts);
  if (r.status !== 200) showError(r.data.error?.message ?? '校验失败');
});

commitButton.addEventListener('click', async () => {
  if (!file) return;
  commitButton.disabled = true;
  showError(null);
  const r = await send('/api/admin/imports/dynamic-list', file, '正在导入…');
  if (r.status === 200 && r.data.counts) {
    const c = r.data.counts;
    preview.hidden = true;
    resultBox.hidden = false;
    $('result-text').textContent =
      `已导入 ${c.rows} 行：新建 ${c.create} 家，更新 ${c.update} 家，无变化 ${c.unchanged} 家。`;
    fileInput.value = '';
    file = null;
    return;
  }
  if (r.data.rows && r.data.counts) render(r.data.rows, r.data.counts);
  showError(r.data.error?.message ?? '导入失败，未写入任何数据');
});
