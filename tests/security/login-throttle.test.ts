import fc from 'fast-check';
import { afterAll, describe, expect, it } from 'vitest';
import { addressKey, LoginThrottle } from '../../api/domain/accounts/login-throttle.ts';
import { freshContext } from '../helpers/context.ts';
import { listen } from '../helpers/server.ts';

// The real node:http front, behind a proxy we trust, so each request can come from its own address.
let now = Date.parse('2026-11-20T00:30:00Z');
const { ctx, accounts } = await freshContext(
  {
    TRUST_PROXY: 'true',
    LOGIN_LIMIT_PER_IP: '5',
    LOGIN_LIMIT_PER_ACCOUNT: '8',
    LOGIN_WINDOW_S: '900',
    LOGIN_BACKOFF_MAX_S: '60',
  },
  { now: () => now },
);
const server = await listen(ctx);
afterAll(() => server.close());
const otp = (u: string) => accounts.find((a) => a.username === u)!.oneTimePassword;

interface Answer {
  status: number;
  retryAfter: number | null;
  message: string;
  device: string | null;
}

async function login(username: string, password: string, ip: string, device?: string | null): Promise<Answer> {
  const res = await fetch(`${server.base}/api/admin/session`, {
    method: 'POST',
    headers: {
      'content-type': 'application/json',
      'x-forwarded-for': ip,
      ...(device ? { cookie: `login_device=${device}` } : {}),
    },
    body: JSON.stringify({ username, password }),
  });
  const body = (await res.json()) as { error?: { message: string } };
  const cookie = /login_device=([^;]*)/.exec(res.headers.get('set-cookie') ?? '')?.[1] ?? null;
  return {
    status: res.status,
    retryAfter: res.headers.has('retry-after') ? Number(res.headers.get('retry-after')) : null,
    message: body.error?.message ?? '',
    device: cookie,
  };
}

describe('login throttling', () => {
  it('lets the owner sign in from his usual address and browser while an attacker elsewhere hammers it', async () => {
    const owner = await login('zhulin', otp('zhulin'), '10.50.0.1');
    expect(owner.status).toBe(200);
    expect(owner.device).toBeTruthy();

    // A guess spread over many addresses: one or two tries from each, as a botnet would.
    const attackers = fc.sample(
      fc.ipV4().filter((ip) => !ip.startsWith('10.50.')),
      { numRuns: 30, seed: 11 },
    );
    const refusals: Answer[] = [];
    for (const ip of attackers) {
      const r = await login('ZhuLin ', `guess-${ip}`, ip);
      expect([401, 429]).toContain(r.status);
      if (r.status === 429) refusals.push(r);
    }
    // Slowed, never locked: each refusal asks for seconds, not the old 15-minute lock.
    expect(refusals.length).toBeGreaterThan(0);
    for (const r of refusals) {
      expect(r.retryAfter).toBeGreaterThan(0);
      expect(r.retryAfter).toBeLessThanOrEqual(Math.ceil(900 / 8));
      expect(r.message).toMatch(/^登录尝试过多，请 \d+ (秒|分钟)后再试$/);
    }

    // The owner: from his browser (device cookie), and from his address without it (remembered pair).
    expect((await login('zhulin', otp('zhulin'), '10.50.0.1', owner.device)).status).toBe(200);
    expect((await login('zhulin', otp('zhulin'), '10.50.0.1')).status).toBe(200);
    // His browser on another network (a phone on 4G) is still his device.
    expect((await login('zhulin', otp('zhulin'), '172.20.9.9', owner.device)).status).toBe(200);
    // An address the account never signed in from is slowed with the attackers...
    expect((await login('zhulin', otp('zhulin'), '192.0.2.77')).status).toBe(429);
    // ...but not locked: after the wait it goes through.
    const wait = (await login('zhulin', otp('zhulin'), '192.0.2.77')).retryAfter!;
    now += wait * 1000;
    expect((await login('zhulin', otp('zhulin'), '192.0.2.77')).status).toBe(200);
  });

  it("a forged or other account's device cookie earns no trust", async () => {
    const mine = await login('shouli', otp('shouli'), '10.51.0.1');
    expect(mine.status).toBe(200);
    // shouli's cookie says nothing about shengtai, and a tampered cookie says nothing at all.
    const tampered = mine.device!.replace(/.$/, (ch) => (ch === 'A' ? 'B' : 'A'));
    for (let i = 0; i < 8; i++) await login('shengtai', `wrong-${i}-password`, `198.51.100.${i}`);
    expect((await login('shengtai', otp('shengtai'), '203.0.113.5', mine.device)).status).toBe(429);
    expect((await login('shengtai', otp('shengtai'), '203.0.113.6', tampered)).status).toBe(429);
  });

  it('doubles the wait after each failure on one account and address, up to the cap', async () => {
    const ip = '10.60.0.1';
    const waits: number[] = [];
    for (let i = 0; i < 8; i++) {
      expect((await login('admin', `wrong-password-${i}`, ip)).status).toBe(401);
      const blocked = await login('admin', `wrong-password-${i}b`, ip);
      expect(blocked.status).toBe(429);
      waits.push(blocked.retryAfter!);
      now += blocked.retryAfter! * 1000;
      if (i % 2 === 1) now += 900_000; // a new window: the per-address limit (5) stays out of the way
    }
    expect(waits).toEqual([1, 2, 4, 8, 16, 32, 60, 60]);
  });

  it('starts a pair afresh after a successful login', async () => {
    const ip = '10.61.0.1';
    now += 900_000;
    for (const wait of [1, 2, 4]) {
      expect((await login('lingdao', 'not-the-password', ip)).status).toBe(401);
      expect((await login('lingdao', 'not-the-password', ip)).retryAfter).toBe(wait);
      now += wait * 1000;
    }
    expect((await login('lingdao', otp('lingdao'), ip)).status).toBe(200);
    expect((await login('lingdao', 'not-the-password', ip)).status).toBe(401);
    expect((await login('lingdao', 'not-the-password', ip)).retryAfter).toBe(1);
  });

  it('limits many accounts guessed from one address, without touching other addresses', async () => {
    now += 900_000;
    const ip = '10.70.0.1';
    const names = fc.sample(fc.stringMatching(/^[a-z]{4,10}$/), { numRuns: 5, seed: 3 });
    for (const [i, name] of names.entries())
      expect((await login(`${name}-${i}`, 'whatever-password', ip)).status).toBe(401);
    const next = await login('shengtai', otp('shengtai'), ip);
    expect(next.status).toBe(429);
    expect(next.retryAfter).toBeGreaterThan(60);
    expect(next.message).toMatch(/分钟后再试/);
    now += 901_000;
    expect((await login('shengtai', otp('shengtai'), '10.70.0.2')).status).toBe(200);
  });
});

describe('the throttle itself', () => {
  it('keeps its memory bounded while an attacker cycles through addresses and account names', () => {
    let t = 0;
    const throttle = new LoginThrottle({
      pairBaseMs: 1000,
      pairMaxMs: 60_000,
      addressLimit: 5,
      addressWindowMs: 900_000,
      accountLimit: 50,
      accountWindowMs: 900_000,
      maxEntries: 500,
      deviceSecret: Buffer.alloc(32, 7),
      deviceTtlMs: 86_400_000,
      now: () => t,
    });
    fc.assert(
      fc.property(fc.oneof(fc.ipV4(), fc.ipV6()), fc.string({ maxLength: 20 }), (ip, name) => {
        t += 10;
        const a = throttle.begin(name, ip, undefined);
        if (a.ok) throttle.fail(a);
        expect(throttle.entries).toBeLessThanOrEqual(4 * 500);
      }),
      { numRuns: 5000 },
    );
  });

  it('keeps a live backoff through a flood of made-up names and addresses: new ones wait instead', () => {
    let t = 0;
    const throttle = new LoginThrottle({
      pairBaseMs: 1000,
      pairMaxMs: 60_000,
      addressLimit: 5,
      addressWindowMs: 900_000,
      accountLimit: 50,
      accountWindowMs: 900_000,
      maxEntries: 200,
      deviceSecret: Buffer.alloc(32, 7),
      deviceTtlMs: 86_400_000,
      now: () => t,
    });
    // The target's pair fails five times: it waits 16 s before its next try.
    for (let i = 0; i < 5; i++) {
      const a = throttle.begin('chen', '198.51.100.7', undefined);
      if (!a.ok) throw new Error('the first tries are allowed');
      throttle.fail(a);
      t += 16_000;
    }
    t -= 16_000;
    let waited = 0;
    fc.assert(
      fc.property(fc.ipV4(), fc.string({ minLength: 1, maxLength: 12 }), (ip, name) => {
        const a = throttle.begin(name, ip, undefined);
        if (a.ok) throttle.fail(a);
        else if (a.retryAfterS === 60) waited++;
      }),
      { numRuns: 2000 },
    );
    expect(waited).toBeGreaterThan(0); // the throttle filled, and newcomers waited
    expect(throttle.begin('chen', '198.51.100.7', undefined)).toMatchObject({ ok: false, reason: 'pair' });
  });

  it('counts an IPv6 caller by its /64, and an IPv4-mapped address as IPv4', () => {
    expect(addressKey('2001:db8:1:2:aaaa::1')).toBe(addressKey('2001:db8:1:2:bbbb:cccc:dddd:eeee'));
    expect(addressKey('2001:db8:1:2::1')).not.toBe(addressKey('2001:db8:1:3::1'));
    expect(addressKey('::ffff:192.0.2.1')).toBe('192.0.2.1');
    expect(addressKey('192.0.2.1')).toBe('192.0.2.1');
  });

  it('lets only one try of a pair run at a time (parallel guesses do not all slip through)', () => {
    const throttle = new LoginThrottle({
      pairBaseMs: 1000,
      pairMaxMs: 60_000,
      addressLimit: 100,
      addressWindowMs: 900_000,
      accountLimit: 100,
      accountWindowMs: 900_000,
      maxEntries: 500,
      deviceSecret: Buffer.alloc(32, 7),
      deviceTtlMs: 86_400_000,
      now: () => 0,
    });
    const first = throttle.begin('chen', '192.0.2.9', undefined);
    expect(first.ok).toBe(true);
    expect(throttle.begin('chen', '192.0.2.9', undefined)).toMatchObject({ ok: false, reason: 'pair' });
    expect(throttle.begin('chen', '192.0.2.10', undefined).ok).toBe(true);
  });
});
