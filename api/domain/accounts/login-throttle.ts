import { createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFileSync, writeFileSync } from 'node:fs';
import { isIPv6 } from 'node:net';
import { join } from 'node:path';

/**
 * Login throttling that an outsider cannot turn against the account's owner (OWASP ASVS V2.2,
 * "device cookies"; the Copenhagen Book on throttling). Three counters, none of which locks:
 *
 * - per (account, address) pair, or per device that has signed in to the account before:
 *   each failure doubles the wait before the next try (1 s, 2 s, 4 s… up to `pairMaxMs`);
 * - per address, failures from places the account was never used from: many accounts guessed
 *   from one address stop at `addressLimit` a window;
 * - per account, failures from such places, as a token bucket: a guess spread over many
 *   addresses is slowed to `accountLimit` a window, never stopped outright.
 *
 * A place is known when the account signed in from it before: the browser shows a signed device
 * cookie for the account, or the (account, address) pair is remembered. Known places count only
 * against their own pair, so an attacker elsewhere does not keep the owner out. Every map is
 * bounded: addresses cycled by an attacker push out the oldest entries, not the memory limit.
 */
export interface LoginThrottleConfig {
  pairBaseMs: number;
  pairMaxMs: number;
  addressLimit: number;
  addressWindowMs: number;
  accountLimit: number;
  accountWindowMs: number;
  /** The most entries each map keeps. */
  maxEntries: number;
  deviceSecret: Buffer;
  deviceTtlMs: number;
  now: () => number;
}

export const DEVICE_COOKIE = 'login_device';
/** One browser may be the known device of this many accounts (a shared office computer). */
const DEVICES_PER_COOKIE = 5;
/** A pair's count of failures is kept this long after its last failure. */
const PAIR_MEMORY_MS = 24 * 3_600_000;
/** An attempt whose outcome never came back (a crash in between) stops holding its pair after this. */
const STALE_ATTEMPT_MS = 30_000;
// How long a new name or place waits while the throttle is full of live entries.
const FULL_WAIT_MS = 60_000;

export type Refusal = { ok: false; retryAfterS: number; reason: 'pair' | 'address' | 'account' };
export interface Attempt {
  ok: true;
  account: string;
  address: string;
  known: boolean;
  key: string;
  device: string | null;
}

interface PairState {
  failures: number;
  until: number;
  last: number;
  inFlightSince: number | null;
}

/**
 * A Map of at most `max` entries. A new key gets room only by dropping entries that no longer
 * hold anything back (`atRest`), oldest written first; a live entry is never dropped, so a flood
 * of made-up names and addresses cannot wash an account's backoff or bucket out of memory.
 */
class BoundedMap<V> {
  private readonly map = new Map<string, V>();
  private readonly max: number;
  private readonly atRest: (v: V, t: number) => boolean;
  constructor(max: number, atRest: (v: V, t: number) => boolean) {
    this.max = max;
    this.atRest = atRest;
  }
  get(key: string): V | undefined {
    return this.map.get(key);
  }
  /** Whether `key` has, or can be given, a place at time `t`. */
  roomFor(key: string, t: number): boolean {
    if (this.map.has(key) || this.map.size < this.max) return true;
    for (const [k, v] of this.map) {
      if (!this.atRest(v, t)) break; // written later than a live one: most likely live too
      this.map.delete(k);
      if (this.map.size < this.max) return true;
    }
    return false;
  }
  set(key: string, value: V): void {
    this.map.delete(key);
    this.map.set(key, value);
    // Only reached without roomFor (a successful login's memory): the oldest goes.
    while (this.map.size > this.max) this.map.delete(this.map.keys().next().value!);
  }
  delete(key: string): void {
    this.map.delete(key);
  }
  get size(): number {
    return this.map.size;
  }
}

/** An account name as typed: case, width and surrounding spaces do not make another account. */
export const accountKey = (username: string) => username.normalize('NFKC').trim().toLowerCase();

/** An IPv6 caller owns at least a /64: one address there is one counter. IPv4-mapped addresses are IPv4. */
export function addressKey(ip: string): string {
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(ip);
  if (mapped) return mapped[1]!;
  if (!isIPv6(ip)) return ip;
  const [head = '', tail = ''] = ip.split('::');
  const h = head ? head.split(':') : [];
  const t = tail ? tail.split(':') : [];
  const groups = ip.includes('::') ? [...h, ...Array(8 - h.length - t.length).fill('0'), ...t] : h;
  return `${groups
    .slice(0, 4)
    .map((g) => g.toLowerCase().replace(/^0+(?=.)/, ''))
    .join(':')}::/64`;
}

const b64 = (s: string) => Buffer.from(s, 'utf8').toString('base64url');
const unb64 = (s: string) => Buffer.from(s, 'base64url').toString('utf8');

export class LoginThrottle {
  private readonly cfg: LoginThrottleConfig;
  private readonly pairs: BoundedMap<PairState>;
  private readonly addresses: BoundedMap<{ start: number; count: number }>;
  private readonly accounts: BoundedMap<{ tokens: number; at: number }>;
  private readonly remembered: BoundedMap<number>;

  constructor(cfg: LoginThrottleConfig) {
    this.cfg = cfg;
    this.pairs = new BoundedMap(cfg.maxEntries, (p, t) => p.inFlightSince === null && t >= p.until);
    this.addresses = new BoundedMap(cfg.maxEntries, (a, t) => t - a.start >= cfg.addressWindowMs);
    this.accounts = new BoundedMap(
      cfg.maxEntries,
      (b, t) => b.tokens + (t - b.at) * this.accountRate() >= cfg.accountLimit,
    );
    this.remembered = new BoundedMap(cfg.maxEntries, (at, t) => t - at >= cfg.deviceTtlMs);
  }

  /** How many entries the throttle holds, for tests of its bound. */
  get entries(): number {
    return this.pairs.size + this.addresses.size + this.accounts.size + this.remembered.size;
  }

  /** Asks before a password is checked; a refusal carries the seconds to wait. */
  begin(username: string, ip: string, deviceCookie: string | undefined): Attempt | Refusal {
    const t = this.cfg.now();
    const account = accountKey(username);
    const address = addressKey(ip);
    const device = this.knownDevice(deviceCookie, account, t);
    const rememberedAt = this.remembered.get(`${account}\u0000${address}`);
    const known = device !== null || (rememberedAt !== undefined && t - rememberedAt < this.cfg.deviceTtlMs);
    const key = device ? `d:${device}` : `p:${account}\u0000${address}`;

    const pair = this.pairs.get(key);
    if (pair && t - pair.last > PAIR_MEMORY_MS && pair.inFlightSince === null) this.pairs.delete(key);
    else if (pair) {
      if (pair.inFlightSince !== null && t - pair.inFlightSince < STALE_ATTEMPT_MS) return refuse(1000, 'pair');
      if (t < pair.until) return refuse(pair.until - t, 'pair');
    }
    // Every counter this attempt needs must have a place: when the throttle is full of live
    // entries (a flood from many addresses), a new name or place waits rather than evicting one.
    const full =
      !this.pairs.roomFor(key, t) ||
      (!known && (!this.addresses.roomFor(address, t) || !this.accounts.roomFor(account, t)));
    if (full) return refuse(FULL_WAIT_MS, 'address');
    if (!known) {
      const a = this.addressWindow(address, t);
      if (a.count >= this.cfg.addressLimit) return refuse(a.start + this.cfg.addressWindowMs - t, 'address');
      const b = this.accountBucket(account, t);
      if (b.tokens < 1) return refuse((1 - b.tokens) / this.accountRate(), 'account');
      // Counted now, not after the password check: parallel guesses see each other.
      this.addresses.set(address, { start: a.start, count: a.count + 1 });
      this.accounts.set(account, { tokens: b.tokens - 1, at: t });
    }
    const state = this.pairs.get(key) ?? { failures: 0, until: 0, last: t };
    this.pairs.set(key, { ...state, inFlightSince: t });
    return { ok: true, account, address, known, key, device };
  }

  /** A wrong password (or unknown or disabled account): this pair waits twice as long as last time. */
  fail(a: Attempt): void {
    const t = this.cfg.now();
    const state = this.pairs.get(a.key) ?? { failures: 0, until: 0, last: t, inFlightSince: null };
    const failures = state.failures + 1;
    const delay = Math.min(this.cfg.pairMaxMs, this.cfg.pairBaseMs * 2 ** Math.min(failures - 1, 40));
    this.pairs.set(a.key, { failures, until: t + delay, last: t, inFlightSince: null });
  }

  /** Signed in: the pair starts afresh, the place becomes known, and the browser gets its device cookie back. */
  succeed(a: Attempt, previousCookie: string | undefined): string {
    const t = this.cfg.now();
    this.pairs.delete(a.key);
    this.refund(a, t);
    this.remembered.set(`${a.account}\u0000${a.address}`, t);
    const others = (previousCookie ?? '').split('~').filter((entry) => {
      const d = this.readEntry(entry, t);
      return d !== null && d.account !== a.account;
    });
    const nonce = a.device ?? randomBytes(12).toString('base64url');
    return [this.entry(a.account, t, nonce), ...others].slice(0, DEVICES_PER_COOKIE).join('~');
  }

  /** The check itself failed (not a wrong password): nothing is counted. */
  abandon(a: Attempt): void {
    const t = this.cfg.now();
    const state = this.pairs.get(a.key);
    if (state) this.pairs.set(a.key, { ...state, inFlightSince: null });
    this.refund(a, t);
  }

  get deviceTtlMs(): number {
    return this.cfg.deviceTtlMs;
  }

  private refund(a: Attempt, t: number): void {
    if (a.known) return;
    const w = this.addresses.get(a.address);
    if (w && w.count > 0) this.addresses.set(a.address, { ...w, count: w.count - 1 });
    const b = this.accountBucket(a.account, t);
    this.accounts.set(a.account, { tokens: Math.min(this.cfg.accountLimit, b.tokens + 1), at: t });
  }

  private addressWindow(address: string, t: number) {
    const w = this.addresses.get(address);
    return w && t - w.start < this.cfg.addressWindowMs ? w : { start: t, count: 0 };
  }

  private accountRate(): number {
    return this.cfg.accountLimit / this.cfg.accountWindowMs; // tokens a millisecond
  }

  private accountBucket(account: string, t: number) {
    const b = this.accounts.get(account);
    if (!b) return { tokens: this.cfg.accountLimit, at: t };
    return { tokens: Math.min(this.cfg.accountLimit, b.tokens + (t - b.at) * this.accountRate()), at: t };
  }

  private mac(account: string, issued: number, nonce: string): string {
    return createHmac('sha256', this.cfg.deviceSecret)
      .update(`${account}\n${issued}\n${nonce}`)
      .digest('base64url')
      .slice(0, 22);
  }

  private entry(account: string, issued: number, nonce: string): string {
    return `${b64(account)}.${issued.toString(36)}.${nonce}.${this.mac(account, issued, nonce)}`;
  }

  private readEntry(entry: string, t: number): { account: string; nonce: string } | null {
    const parts = entry.split('.');
    if (parts.length !== 4 || entry.length > 300) return null;
    const [acc, issuedText, nonce, mac] = parts as [string, string, string, string];
    const issued = parseInt(issuedText, 36);
    if (!Number.isFinite(issued) || t - issued > this.cfg.deviceTtlMs || issued > t + 60_000) return null;
    const account = unb64(acc);
    const expected = Buffer.from(this.mac(account, issued, nonce));
    const given = Buffer.from(mac);
    if (given.length !== expected.length || !timingSafeEqual(given, expected)) return null;
    return { account, nonce };
  }

  /** The nonce of this account's valid entry in the device cookie, or null. */
  private knownDevice(cookie: string | undefined, account: string, t: number): string | null {
    if (!cookie || cookie.length > 2000) return null;
    for (const entry of cookie.split('~').slice(0, DEVICES_PER_COOKIE)) {
      const d = this.readEntry(entry, t);
      if (d?.account === account) return d.nonce;
    }
    return null;
  }
}

function refuse(ms: number, reason: Refusal['reason']): Refusal {
  return { ok: false, retryAfterS: Math.max(1, Math.ceil(ms / 1000)), reason };
}

/** "请 5 秒后再试", "请 15 分钟后再试". */
export function waitMessage(seconds: number): string {
  const wait = seconds <= 90 ? `${seconds} 秒` : `${Math.ceil(seconds / 60)} 分钟`;
  return `登录尝试过多，请 ${wait}后再试`;
}

/** The key that signs device cookies, kept in the data directory so that they outlive a restart. */
export function loadDeviceSecret(dataDir: string): Buffer {
  const file = join(dataDir, 'login-device.key');
  try {
    writeFileSync(file, randomBytes(32), { flag: 'wx', mode: 0o600 });
  } catch (e) {
    if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
  }
  const key = readFileSync(file);
  if (key.length < 32) throw new Error(`${file} is shorter than 32 bytes`);
  return key;
}
