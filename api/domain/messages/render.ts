import type { TemplateText } from './templates.ts';

// Anything in braces is a placeholder, so that {姓名} or { date } in an admin's edit is refused, not sent as typed.
const PLACEHOLDER = /\{([^{}]*)\}/g;

/** The names a text's {placeholders} use, in order of appearance. */
export const placeholders = (text: string): string[] => [...text.matchAll(PLACEHOLDER)].map((m) => m[1]!);

export const fill = (text: string, params: Record<string, string>) =>
  text.replace(PLACEHOLDER, (_, name: string) => params[name] ?? '');

export interface Rendered {
  subject: string;
  text: string;
  /** Sent to an SMS gateway by name: the template's own params only. */
  params: Record<string, string>;
  smsTemplateCode: string | null;
}

/** A message as it goes out: the template filled with the params it declares, and nothing else. */
export function render(template: TemplateText, known: readonly string[], params: Record<string, string>): Rendered {
  const own = Object.fromEntries(known.filter((k) => k in params).map((k) => [k, params[k]!]));
  return {
    subject: fill(template.subject, own),
    text: fill(template.body, own),
    params: own,
    smsTemplateCode: template.smsTemplateCode,
  };
}
