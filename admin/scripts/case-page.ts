// The case editor: a live preview of the text as the public will read it, redacted by the server
// (the rules, which hold reporters' names, never reach the browser), and a blur-region editor that
// saves rectangles as fractions of the photo.
import { callApi } from './admin.ts';

interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}
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

const editor = document.getElementById('blur-editor');
const stage = document.getElementById('blur-stage');
const image = document.getElementById('blur-image') as HTMLImageElement | null;
if (editor && stage && image) {
  const caseId = editor.dataset.case!;
  const version = Number(editor.dataset.version);
  const errorBox = document.getElementById('blur-error')!;
  let regions: Region[] = [];
  let target:
    | { kind: 'add'; source: string; sourceId: string; photoKind: string }
    | { kind: 'reblur'; photoId: string }
    | null = null;

  const clamp = (n: number) => Math.min(1, Math.max(0, n));
  const at = (ev: PointerEvent) => {
    const r = image.getBoundingClientRect();
    return { x: clamp((ev.clientX - r.left) / r.width), y: clamp((ev.clientY - r.top) / r.height) };
  };
  const place = (box: HTMLElement, g: Region) => {
    // CSSOM, not a style attribute: the CSP allows it.
    box.style.left = `${g.x * 100}%`;
    box.style.top = `${g.y * 100}%`;
    box.style.width = `${g.w * 100}%`;
    box.style.height = `${g.h * 100}%`;
  };
  const draw = () => {
    stage.querySelectorAll('.blur-rect').forEach((b) => {
      b.remove();
    });
    regions.forEach((g, i) => {
      const rect = el('button', '', 'blur-rect');
      rect.type = 'button';
      rect.setAttribute('aria-label', `删除第 ${i + 1} 个模糊区域`);
      place(rect, g);
      rect.addEventListener('pointerdown', (ev) => ev.stopPropagation());
      rect.addEventListener('click', () => {
        regions.splice(i, 1);
        draw();
      });
      stage.append(rect);
    });
  };
  const open = (src: string, initial: Region[], t: NonNullable<typeof target>, title: string) => {
    target = t;
    regions = initial.map((r) => ({ ...r }));
    document.getElementById('blur-title')!.textContent = title;
    errorBox.textContent = '';
    image.src = src;
    editor.classList.remove('hidden');
    draw();
    editor.scrollIntoView({ block: 'start' });
  };

  let start: { x: number; y: number } | null = null;
  let ghost: HTMLElement | null = null;
  stage.addEventListener('pointerdown', (ev) => {
    if (ev.button !== 0) return;
    ev.preventDefault();
    start = at(ev);
    ghost = el('div', undefined, 'blur-rect drawing');
    stage.append(ghost);
    stage.setPointerCapture(ev.pointerId);
  });
  const box = (a: { x: number; y: number }, b: { x: number; y: number }): Region => ({
    x: Math.min(a.x, b.x),
    y: Math.min(a.y, b.y),
    w: Math.abs(a.x - b.x),
    h: Math.abs(a.y - b.y),
  });
  stage.addEventListener('pointermove', (ev) => {
    if (start && ghost) place(ghost, box(start, at(ev)));
  });
  stage.addEventListener('pointerup', (ev) => {
    if (!start) return;
    const g = box(start, at(ev));
    start = null;
    ghost?.remove();
    ghost = null;
    if (g.w > 0.01 && g.h > 0.01) regions.push({ x: round(g.x), y: round(g.y), w: round(g.w), h: round(g.h) });
    draw();
  });
  const round = (n: number) => Math.round(n * 10000) / 10000;

  document.addEventListener('click', async (ev) => {
    const b = (ev.target as HTMLElement).closest<HTMLButtonElement>(
      'button[data-pick], button[data-reblur], button[data-remove]',
    );
    if (!b) return;
    if (b.dataset.pick) {
      open(
        b.dataset.src!,
        [],
        { kind: 'add', source: b.dataset.source!, sourceId: b.dataset.pick, photoKind: b.dataset.kind! },
        b.dataset.kind === 'before' ? '整治前照片：框出要模糊的区域' : '整治后照片：框出要模糊的区域',
      );
    } else if (b.dataset.reblur) {
      open(
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

  document.getElementById('blur-clear')!.addEventListener('click', () => {
    regions = [];
    draw();
  });
  document.getElementById('blur-cancel')!.addEventListener('click', () => {
    editor.classList.add('hidden');
    target = null;
  });
  const save = document.getElementById('blur-save') as HTMLButtonElement;
  save.addEventListener('click', async () => {
    if (!target) return;
    save.disabled = true;
    save.textContent = '正在生成…';
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
    if (r.ok) return location.reload();
    save.disabled = false;
    save.textContent = '保存为公开照片';
    errorBox.textContent = r.data?.error?.message ?? '保存失败，请重试';
  });
}
