import { readFileSync } from 'node:fs';
import { stripTypeScriptTypes } from 'node:module';
import { Script } from 'node:vm';
import { describe, expect, it } from 'vitest';
import { BACKGROUND_COLOR, THEME_COLOR } from '../../admin/offline/app-identity.ts';

describe('the work app', () => {
  it("takes its colours from the pages' own: --brand and --bg", () => {
    const css = readFileSync('site/styles/global.css', 'utf8');
    const value = (name: string) => new RegExp(`--${name}:\\s*(#[0-9a-f]{3,6})`, 'i').exec(css)?.[1];
    expect(value('brand')).toBe(THEME_COLOR);
    expect(value('bg')).toBe(BACKGROUND_COLOR);
  });

  it('its service worker strips to a classic script (what /admin/sw.js serves, no module syntax left)', () => {
    const script = stripTypeScriptTypes(readFileSync('admin/offline/service-worker.ts', 'utf8'), { mode: 'strip' });
    expect(() => new Script(script)).not.toThrow();
    expect(script).not.toMatch(/^\s*(import|export)\b/m);
  });
});
