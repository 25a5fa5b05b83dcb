/**
 * Open311 GeoReport v2 answers in both formats. JSON follows the spec's "Spark" mapping of its
 * XML: a list becomes an array, an empty element becomes null.
 */
import { escapeXml } from '../shared/xml-escape.ts';
import { BEIJING_OFFSET_MS, endOfBeijingDay, isCalendarDate, startOfBeijingDay } from '../shared/time.ts';
export type Format = 'json' | 'xml';
export type XmlValue = string | number | boolean | null | undefined | XmlValue[] | { [key: string]: XmlValue };

export const CONTENT_TYPES: Record<Format, string> = {
  json: 'application/json; charset=utf-8',
  xml: 'text/xml; charset=utf-8',
};

/** "requests.json" → { name: 'requests', format: 'json' }; anything else is not a resource of ours. */
export function splitFormat(file: string): { name: string; format: Format } | null {
  const m = /^([A-Za-z0-9_-]{1,64})\.(json|xml)$/.exec(file);
  return m ? { name: m[1]!, format: m[2] as Format } : null;
}

function element(name: string, value: XmlValue, itemNames: Record<string, string>, indent: string): string {
  if (value === null || value === undefined || value === '') return `${indent}<${name}/>`;
  if (Array.isArray(value)) {
    const item = itemNames[name];
    if (!item) throw new Error(`no XML item name for the list <${name}>`);
    if (value.length === 0) return `${indent}<${name}/>`;
    const items = value.map((v) => element(item, v, itemNames, `${indent}  `)).join('\n');
    return `${indent}<${name}>\n${items}\n${indent}</${name}>`;
  }
  if (typeof value === 'object') {
    const children = Object.entries(value).map(([k, v]) => element(k, v, itemNames, `${indent}  `));
    return children.length ? `${indent}<${name}>\n${children.join('\n')}\n${indent}</${name}>` : `${indent}<${name}/>`;
  }
  return `${indent}<${name}>${escapeXml(String(value))}</${name}>`;
}

/** A whole document: the declaration, then `root` holding `value` (a list's items named by itemNames). */
export function toXml(root: string, value: XmlValue, itemNames: Record<string, string>): string {
  return `<?xml version="1.0" encoding="utf-8"?>\n${element(root, value, itemNames, '')}\n`;
}

/** The element names the spec gives each list. */
export const ITEM_NAMES: Record<string, string> = {
  services: 'service',
  service_requests: 'request',
  service_request_updates: 'request_update',
  errors: 'error',
  endpoints: 'endpoint',
  formats: 'format',
  attributes: 'attribute',
  values: 'value',
};

/** Serialises `value` under the spec's root element (for XML) or as is (for JSON). */
export function render(format: Format, root: string, value: XmlValue): string {
  return format === 'json' ? JSON.stringify(value) : toXml(root, value, ITEM_NAMES);
}

export interface Open311Error {
  code: number;
  description: string;
}

export const errorsBody = (format: Format, errors: Open311Error[]) =>
  render(format, 'errors', errors as unknown as XmlValue);

/** W3C datetime in Beijing time with its offset, e.g. 2026-11-22T08:30:00+08:00. */
export const w3cDatetime = (d: Date) => `${new Date(d.getTime() + BEIJING_OFFSET_MS).toISOString().slice(0, 19)}+08:00`;

const W3C = /^(\d{4})-(\d{2})-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(?:\.\d{1,9})?)?(Z|[+-]\d{2}:\d{2}))?$/;

/**
 * Reads a W3C datetime (the spec's start_date/end_date). A time needs its zone; a bare date is a
 * Beijing calendar day, its first millisecond (or its last, for an end).
 */
export function parseW3c(raw: string, end = false): Date | null {
  // An unencoded "+08:00" in a query string arrives as " 08:00": many clients send it so.
  const text = raw.trim().replace(/ (\d{2}:\d{2})$/, '+$1');
  const m = W3C.exec(text);
  if (!m) return null;
  const [, y, mo, d, h, mi] = m;
  const day = `${y}-${mo}-${d}`;
  if (!isCalendarDate(day)) return null; // 02-30 is no day
  if (h === undefined) return end ? endOfBeijingDay(day) : startOfBeijingDay(day);
  if (Number(h) > 23 || Number(mi) > 59) return null;
  const t = Date.parse(text);
  return Number.isNaN(t) ? null : new Date(t);
}
