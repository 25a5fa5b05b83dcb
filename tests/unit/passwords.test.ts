import { describe, expect, it } from 'vitest';
import { hashPassword, verifyPassword } from '../../api/domain/accounts/passwords.ts';
import { parseEnv } from '../../api/env.ts';

const PASSWORD = '一句够长的密码 correct horse';
// What the README promises: argon2id, 19 MiB (19456 KiB), 2 passes, 1 lane, version 0x13.
const PRODUCTION = '$argon2id$v=19$m=19456,t=2,p=1$';
const TEST = '$argon2id$v=19$m=8,t=1,p=1$';

const production = parseEnv({
  NODE_ENV: 'production',
  CAPTCHA_DISABLED: 'true',
  PUBLIC_BASE_URL: 'https://jubao.example.gov.cn',
});

describe('password hashing cost', () => {
  it('hashes with OWASP argon2id in production, as the README says', async () => {
    const hash = await hashPassword(PASSWORD, production);
    expect(hash.startsWith(PRODUCTION)).toBe(true);
  });

  it('takes the cheap parameters only when NODE_ENV=test: not in development, nor when NODE_ENV is unset', async () => {
    for (const env of [parseEnv({}), parseEnv({ NODE_ENV: 'development' }), production]) {
      expect((await hashPassword(PASSWORD, env)).slice(0, PRODUCTION.length)).toBe(PRODUCTION);
    }
    expect((await hashPassword(PASSWORD, parseEnv({ NODE_ENV: 'test' }))).slice(0, TEST.length)).toBe(TEST);
  });

  it('verifies hashes of either cost, since argon2 reads the cost from the hash', async () => {
    for (const env of [production, parseEnv({ NODE_ENV: 'test' })]) {
      const hash = await hashPassword(PASSWORD, env);
      expect(await verifyPassword(hash, PASSWORD)).toBe(true);
      expect(await verifyPassword(hash, `${PASSWORD}!`)).toBe(false);
    }
  });
});
