import { createHash } from 'node:crypto';
import { verify } from 'hcaptcha';

export type CaptchaResult = { ok: true } | { ok: false; reason: 'missing' | 'replayed' | 'rejected' | 'unavailable' };

export interface Captcha {
  readonly enabled: boolean;
  readonly siteKey: string | null;
  check(token: string | undefined, remoteIp: string | null): Promise<CaptchaResult>;
}

export interface HCaptchaOptions {
  secret: string;
  siteKey: string;
  /** Hostnames a solved token may come from; empty accepts any (development). */
  hostnames: string[];
  timeoutMs: number;
  now?: () => number;
}

const TOKEN_TTL_MS = 10 * 60_000; // hCaptcha tokens live two minutes; keep them longer than that

export function disabledCaptcha(): Captcha {
  return { enabled: false, siteKey: null, check: async () => ({ ok: true }) };
}

export function hCaptcha(opts: HCaptchaOptions): Captcha {
  const now = opts.now ?? Date.now;
  const seen = new Map<string, number>();
  return {
    enabled: true,
    siteKey: opts.siteKey,
    async check(token, remoteIp) {
      if (!token) return { ok: false, reason: 'missing' };
      const t = now();
      for (const [h, at] of seen) if (t - at > TOKEN_TTL_MS) seen.delete(h);
      const hash = createHash('sha256').update(token).digest('base64url');
      if (seen.has(hash)) return { ok: false, reason: 'replayed' };
      seen.set(hash, t); // a token is spent by trying it, whatever the answer
      let timer: NodeJS.Timeout | undefined;
      try {
        const answer = await Promise.race([
          verify(opts.secret, token, remoteIp ?? undefined, opts.siteKey),
          new Promise<never>((_, reject) => {
            timer = setTimeout(() => reject(new Error('captcha timeout')), opts.timeoutMs);
          }),
        ]);
        if (!answer.success) return { ok: false, reason: 'rejected' };
        if (opts.hostnames.length && !opts.hostnames.includes(answer.hostname ?? ''))
          return { ok: false, reason: 'rejected' };
        return { ok: true };
      } catch {
        return { ok: false, reason: 'unavailable' }; // fail closed
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
