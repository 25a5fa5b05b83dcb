// The case editor: a live preview of the text as the public will read it, redacted by the server
// (the rules, which hold reporters' names, never reach the browser), and a blur-region editor that
// saves rectangles as fractions of the photo.
import { callApi } from './admin.ts';
import { setUpBlurEditor, type Region } from './blur-editor.ts';

interface Preview {
  title: string;
  summary: string;
  actions: string;
  found: Record<string, string>;
  leaks: string[];
  remaining: string[];
}

const form = document.getElementById('case-form') as HTMLFormElement | null;
const preview = document.getElementById('redaction-preview');
const hiddenNote = document.getElementById('redaction-hidden');

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

const DEBOUNCE_MS = 300;

if (form && preview?.dataset.api) {
  const url = preview.dataset.api;
  const labels = new Map(
    Array.from(form.querySelectorAll<HTMLTextAreaElement>('[data-preview^="found:"]')).map((t) => [
      t.name.slice('found.'.length),
      t.dataset.preview!.slice(6),
    ]),
  );
  const value = (key: string) =>
    form.querySelector<HTMLInputElement | HTMLTextAreaElement>(`[data-preview="${key}"]`)?.value ?? '';
  const draft = () => ({
    title: value('title'),
    summary: value('summary'),
    actions: value('actions'),
    found: Object.fromEntries(
      Array.from(form.querySelectorAll<HTMLTextAreaElement>('[data-preview^="found:"]'))
        .filter((t) => t.value.trim())
        .map((t) => [t.name.slice('found.'.length), t.value]),
    ),
  });
  const render = (p: Preview) => {
    const parts: HTMLElement[] = [el('h3', p.title)];
    if (p.summary) parts.push(el('p', p.summary, 'multiline'));
    const found = Object.entries(p.found).filter(([, v]) => v);
    if (found.length) {
      const dl = el('dl');
      for (const [area, text] of found) dl.append(el('dt', labels.get(area) ?? area), el('dd', text, 'multiline'));
      parts.push(el('h4', '发现的问题'), dl);
    }
    const actions = p.actions
      .split('\n')
      .map((l) => l.trim())
      .filter(Boolean);
    if (actions.length) {
      const ul = el('ul');
      for (const a of actions) ul.append(el('li', a));
      parts.push(el('h4', '整治措施'), ul);
    }
    preview.replaceChildren(...parts);
    if (hiddenNote) {
      hiddenNote.textContent = [
        p.leaks.length ? `预览已隐去：${p.leaks.join('、')}。` : '',
        p.remaining.length ? `仍含有${p.remaining.join('、')}，不能发布，请修改。` : '',
      ].join('');
    }
  };
  // Only the newest answer is shown: an older request still in flight is abandoned.
  let timer: ReturnType<typeof setTimeout> | undefined;
  let asked = 0;
  const refresh = async () => {
    const mine = ++asked;
    const r = await callApi(url, 'POST', draft()).catch(() => null);
    if (mine !== asked) return;
    if (r?.ok) render(r.data as Preview);
    else if (hiddenNote) hiddenNote.textContent = r?.data?.error?.message ?? '预览暂时无法更新';
  };
  form.addEventListener('input', () => {
    clearTimeout(timer);
    timer = setTimeout(refresh, DEBOUNCE_MS);
  });
}

type Target =
  | { kind: 'add'; source: string; sourceId: string; photoKind: string }
  | { kind: 'reblur'; photoId: string };
const editorBox = document.getElementById('blur-editor');
const caseId = editorBox?.dataset.case;
const version = Number(editorBox?.dataset.version);
const editor = setUpBlurEditor<Target>(async (target, regions) => {
  const r =
    target.kind === 'add'
      ? await callApi(`/api/admin/cases/${caseId}/photos`, 'POST', {
          source: target.source,
          sourceId: target.sourceId,
          kind: target.photoKind,
          blur: regions,
          version,
        })
      : await callApi(`/api/admin/cases/${caseId}/photos/${target.photoId}/blur`, 'POST', { blur: regions, version });
  return r.ok ? null : (r.data?.error?.message ?? '保存失败，请重试');
});
if (editor) {
  document.addEventListener('click', async (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>(
      'button[data-pick], button[data-reblur], button[data-remove]',
    );
    if (!b) return;
    if (b.dataset.pick) {
      editor.open(
        b.dataset.src!,
        [],
        { kind: 'add', source: b.dataset.source!, sourceId: b.dataset.pick, photoKind: b.dataset.kind! },
        b.dataset.kind === 'before' ? '整治前照片：框出要模糊的区域' : '整治后照片：框出要模糊的区域',
      );
    } else if (b.dataset.reblur) {
      editor.open(
        b.dataset.src!,
        JSON.parse(b.dataset.blur ?? '[]') as Region[],
        { kind: 'reblur', photoId: b.dataset.reblur },
        '修改模糊区域（将生成新的公开照片）',
      );
    } else if (b.dataset.remove && confirm('从案例中移除这张公开照片？原始照片不受影响。')) {
      b.disabled = true;
      const r = await callApi(`/api/admin/cases/${caseId}/photos/${b.dataset.remove}`, 'DELETE', { version });
      if (r.ok) location.reload();
      else {
        b.disabled = false;
        alert(r.data?.error?.message ?? '操作失败，请重试');
      }
    }
  });
}
