import { execFileSync, spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

// The W3C's Nu Html Checker (vnu-jar from the npm registry ships vnu.jar; it needs Java 17+).
// Test tooling, not app configuration.
const JAR = 'node_modules/vnu-jar/build/dist/vnu.jar';

/** The major version of the `java` on the PATH (it says so on stderr), 0 without one. */
function javaVersion(): number {
  const r = spawnSync('java', ['-version'], { encoding: 'utf8' });
  return Number(/version "(\d+)/.exec(`${r.stderr ?? ''}${r.stdout ?? ''}`)?.[1] ?? 0);
}

export const hasValidator = javaVersion() >= 17;
if (!hasValidator) {
  console.warn(
    '\n!!! NO JAVA 17+: the HTML of the pages is NOT VALIDATED (the Nu Html Checker, vnu.jar, needs it). ' +
      "Install Debian's default-jre-headless. !!!\n",
  );
}

export interface HtmlMessage {
  page: string;
  line?: number;
  message: string;
  extract?: string;
}

/** Every error the Nu Html Checker finds in these pages (path → HTML), in one run of the checker. */
export function htmlErrors(pages: Record<string, string>): HtmlMessage[] {
  const dir = mkdtempSync(join(tmpdir(), 'sanluanwu-html-'));
  const pathOf = new Map<string, string>();
  Object.entries(pages).forEach(([path, html], i) => {
    const file = join(dir, `page-${i}.html`);
    writeFileSync(file, html);
    pathOf.set(file, path);
  });
  const out = execFileSync(
    'java',
    ['-jar', JAR, '--format', 'json', '--errors-only', '--exit-zero-always', '--stdout', ...pathOf.keys()],
    { encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 },
  );
  const { messages } = JSON.parse(out) as {
    messages: { type: string; url: string; message: string; lastLine?: number; extract?: string }[];
  };
  return messages
    .filter((m) => m.type === 'error' || m.type === 'non-document-error')
    .map((m) => ({
      page: pathOf.get(m.url.replace(/^file:/, '')) ?? m.url,
      line: m.lastLine,
      message: m.message,
      extract: m.extract?.trim(),
    }));
}
