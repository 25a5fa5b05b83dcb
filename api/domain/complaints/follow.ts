import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Connection } from '../../../db/connection.ts';
import type { ComplaintStatus } from '../../../db/schema.ts';
import { CELL_HALF_DIAGONAL_M, gridCell } from '../shared/public-grid.ts';
import { DAY_MS } from '../shared/time.ts';
import { visibleLength } from '../shared/text-input.ts';
import { distanceM, DUPLICATE_RULE, nearbyComplaintPoints } from './neighbours.ts';

/**
 * "附近已有同类举报正在处理": while placing the pin a resident is shown the open reports a new one
 * would duplicate (DUPLICATE_RULE), and may follow one of them instead of filing his own: his
 * report is filed already merged into it, with his own tracking code, and /track shows him that
 * report's progress. Only reviewed reports still being worked on are offered.
 */
export const FOLLOWABLE: readonly ComplaintStatus[] = ['accepted', 'assigned'];

export interface Similar {
  id: number;
  categoryId: number;
  status: ComplaintStatus;
  createdAt: number;
  /** From the pin to the report's public grid cell, never to its own point. */
  distanceM: number;
}

/**
 * The followable reports of a category (or of any, without one) near a pin, nearest first. Distances are measured to
 * each report's public cell (public-grid.ts), the point the public map shows: a pin moved about until a report
 * appears or disappears learns no more of where it was placed than the map already says.
 */
export function similarOpenNearby(
  conn: Connection,
  pin: { lat: number; lng: number },
  categoryId: number | null,
  nowMs: number,
): Similar[] {
  const since = nowMs - DUPLICATE_RULE.days * DAY_MS;
  return nearbyComplaintPoints(conn, pin, DUPLICATE_RULE.metres + CELL_HALF_DIAGONAL_M, since, 500)
    .filter((n) => FOLLOWABLE.includes(n.status as ComplaintStatus))
    .filter((n) => categoryId === null || n.categoryId === categoryId)
    .map((n) => ({
      id: n.id,
      categoryId: n.categoryId,
      status: n.status as ComplaintStatus,
      createdAt: n.createdAt,
      distanceM: distanceM(pin, gridCell(n.lat, n.lng)),
    }))
    .filter((n) => n.distanceM <= DUPLICATE_RULE.metres)
    .sort((a, b) => a.distanceM - b.distanceM || b.createdAt - a.createdAt);
}

// One key per process, on globalThis like the receipt's: the API and the built pages may each load this module. A
// restart only costs a resident placing his pin again.
const KEY = Symbol.for('sanluanwu.follow-key');
const key = (): Buffer => ((globalThis as { [KEY]?: Buffer })[KEY] ??= randomBytes(32));
const HOUR_MS = 3_600_000;
const TOKEN_CHARS = 22; // 132 bits of the MAC, base64url

const mac = (id: number, hour: number) =>
  createHmac('sha256', key()).update(`follow:${id}:${hour}`).digest('base64url').slice(0, TOKEN_CHARS);

/**
 * What the hint hands the browser for "follow this one": a MAC of the report's id and the hour, which names no report
 * to anyone without the key and is good for one to two hours.
 */
export const followToken = (id: number, nowMs: number) => mac(id, Math.floor(nowMs / HOUR_MS));

export const FOLLOW_TOKEN = /^[A-Za-z0-9_-]{22}$/;

/**
 * The report a token stands for, among those similarOpenNearby offers at this pin for this category now; null when
 * it is no longer offered there (resolved, merged, out of reach) or the token is stale or forged.
 */
export function followTarget(
  conn: Connection,
  pin: { lat: number; lng: number },
  categoryId: number,
  token: string,
  nowMs: number,
): number | null {
  if (!FOLLOW_TOKEN.test(token)) return null;
  const given = Buffer.from(token);
  const hour = Math.floor(nowMs / HOUR_MS);
  for (const s of similarOpenNearby(conn, pin, categoryId, nowMs)) {
    for (const h of [hour, hour - 1]) if (timingSafeEqual(Buffer.from(mac(s.id, h)), given)) return s.id;
  }
  return null;
}

/** A short report that only follows another: what it says when the resident wrote (almost) nothing himself. */
export const FOLLOW_DESCRIPTION = '附近已有同类举报正在处理，这是同一个作坊，关注其办理进展。';

/**
 * A following report's description: his own words when they make a description (10 visible characters), else the
 * standard sentence with whatever he did write after it. Anything but text is left for the schema to refuse.
 */
export function followDescription(given: unknown): unknown {
  if (given !== undefined && typeof given !== 'string') return given;
  const text = (given ?? '').trim();
  if (visibleLength(text, 10) >= 10) return given;
  return text ? `${FOLLOW_DESCRIPTION}补充：${text}` : FOLLOW_DESCRIPTION;
}

/** Why a follow is refused: the token is not one the hint gave for this pin, category and hour. */
export const FOLLOW_GONE = '您要关注的举报已办结、已不在附近或页面停留过久，请重新在地图上选点后再试';
