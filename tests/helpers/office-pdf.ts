import { execFileSync } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// Test tools, not app configuration: LibreOffice prints an .xlsx as a PDF the way an office's
// printer would; poppler reads the PDF back (page sizes, text per page) and draws its pages as PNG.
const SOFFICE = '/usr/bin/soffice';
const POPPLER = ['pdfinfo', 'pdftotext', 'pdftoppm'].map((t) => `/usr/bin/${t}`);

export const hasOffice = existsSync(SOFFICE) && POPPLER.every(existsSync);
if (!hasOffice) {
  console.warn(
    '\n!!! NO LIBREOFFICE OR POPPLER (soffice, pdfinfo, pdftotext, pdftoppm): the print layout of the .xlsx exports ' +
      'is NOT CHECKED. apt-get install --no-install-recommends libreoffice-calc-nogui poppler-utils ' +
      'fonts-noto-cjk !!!\n',
  );
}

export interface PrintedPage {
  /** Width and height in points (A4 landscape: 842 × 595). */
  width: number;
  height: number;
  /** The page's text as pdftotext lays it out. */
  text: string;
}

/**
 * Prints .xlsx files to PDF with LibreOffice (one start for all of them) and reads the pages back;
 * the PDFs, named after the keys, are kept in `dir`.
 */
export function printXlsx(files: Record<string, Uint8Array>, dir: string): Record<string, PrintedPage[]> {
  mkdirSync(dir, { recursive: true });
  const work = mkdtempSync(join(tmpdir(), 'sanluanwu-print-'));
  const paths = Object.entries(files).map(([name, bytes]) => {
    const xlsx = join(work, `${name}.xlsx`);
    writeFileSync(xlsx, bytes);
    return xlsx;
  });
  // A profile of its own: two conversions at once would otherwise wait on one profile's lock.
  execFileSync(
    SOFFICE,
    [`-env:UserInstallation=file://${work}/profile`, '--headless', '--convert-to', 'pdf', '--outdir', dir, ...paths],
    { stdio: 'pipe', timeout: 300_000 },
  );
  return Object.fromEntries(Object.keys(files).map((name) => [name, pagesOf(join(dir, `${name}.pdf`))]));
}

/** Each page's size and text. */
function pagesOf(pdf: string): PrintedPage[] {
  const info = execFileSync('pdfinfo', ['-l', '9999', pdf], { encoding: 'utf8' });
  return [...info.matchAll(/^Page\s+\d+ size:\s+([\d.]+) x ([\d.]+) pts/gm)].map((m, i) => ({
    width: Number(m[1]),
    height: Number(m[2]),
    text: execFileSync('pdftotext', ['-layout', '-f', String(i + 1), '-l', String(i + 1), pdf, '-'], {
      encoding: 'utf8',
    }),
  }));
}

/** The first `n` pages of a PDF drawn as PNG files beside it (to look at). */
export function pagePngs(pdf: string, n = 2, dpi = 80): void {
  execFileSync('pdftoppm', ['-png', '-r', String(dpi), '-f', '1', '-l', String(n), pdf, pdf.replace(/\.pdf$/, '')]);
}
