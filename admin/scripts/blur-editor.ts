// The blur-region editor (#blur-editor): open it on a photo, draw boxes over faces, plates and door numbers, and
// save them as fractions of the photo; the server burns them into a public copy (shared/photos/public-copy.ts).
// Typical cases (case-page.ts) and the closing evidence on /track (complaint-evidence.ts) use it.

export interface Region {
  x: number;
  y: number;
  w: number;
  h: number;
}

/** What saving does with the boxes: an error message to show, or null (the page reloads). */
export type SaveRegions<T> = (target: T, regions: Region[]) => Promise<string | null>;

function el<K extends keyof HTMLElementTagNameMap>(tag: K, text?: string, cls?: string): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (text !== undefined) node.textContent = text;
  if (cls) node.className = cls;
  return node;
}

const round = (n: number) => Math.round(n * 10000) / 10000;

export function setUpBlurEditor<T>(
  save: SaveRegions<T>,
): { open: (src: string, initial: Region[], target: T, title: string) => void } | null {
  const editor = document.getElementById('blur-editor');
  const stage = document.getElementById('blur-stage');
  const image = document.getElementById('blur-image') as HTMLImageElement | null;
  if (!editor || !stage || !image) return null;
  const errorBox = document.getElementById('blur-error')!;
  let regions: Region[] = [];
  let target: T | null = null;

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

  document.getElementById('blur-clear')!.addEventListener('click', () => {
    regions = [];
    draw();
  });
  document.getElementById('blur-cancel')!.addEventListener('click', () => {
    editor.classList.add('hidden');
    target = null;
  });
  const saveButton = document.getElementById('blur-save') as HTMLButtonElement;
  const label = saveButton.textContent;
  saveButton.addEventListener('click', async () => {
    if (target === null) return;
    saveButton.disabled = true;
    saveButton.textContent = '正在生成…';
    const problem = await save(target, regions).catch(() => '网络错误，请重试');
    if (problem === null) return location.reload();
    saveButton.disabled = false;
    saveButton.textContent = label;
    errorBox.textContent = problem;
  });

  return {
    open: (src, initial, t, title) => {
      target = t;
      regions = initial.map((r) => ({ ...r }));
      document.getElementById('blur-title')!.textContent = title;
      errorBox.textContent = '';
      image.src = src;
      editor.classList.remove('hidden');
      draw();
      editor.scrollIntoView({ block: 'start' });
    },
  };
}
