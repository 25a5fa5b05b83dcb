import { hash, verify } from '@node-rs/argon2';
import { randomInt } from 'node:crypto';
import { getEnv, type Env } from '../../env.ts';
import { COMMON_PASSWORDS } from './common-passwords.ts';

// OWASP's argon2id minimum: 19 MiB, 2 passes, 1 lane.
const PARAMS = { memoryCost: 19_456, timeCost: 2, parallelism: 1 } as const;
// argon2's least cost (8 KiB, 1 pass), for NODE_ENV=test only: test files create and log in
// accounts hundreds of times. verify() reads the cost from the hash, so either kind verifies.
const TEST_PARAMS = { memoryCost: 8, timeCost: 1, parallelism: 1 } as const;
export const MIN_LENGTH = 10;
const MAX_LENGTH = 256;

/** Long passphrases and any Unicode welcome; short, common and username-like ones refused. */
export function passwordProblem(password: string, username: string): string | null {
  const length = [...password.normalize('NFC')].length;
  if (length < MIN_LENGTH) return `密码至少 ${MIN_LENGTH} 个字符（可以用一句话作为密码）`;
  if (length > MAX_LENGTH) return `密码最多 ${MAX_LENGTH} 个字符`;
  const lower = password.toLowerCase();
  if (COMMON_PASSWORDS.has(lower) || /^(.)\1+$/.test(password) || /^(0123456789|1234567890|9876543210)+/.test(password))
    return '这个密码太常见，很容易被猜到，请换一个';
  if (lower.includes(username.toLowerCase()) && username.length >= 3) return '密码不能包含用户名';
  return null;
}

/** The process's configuration decides the cost; anything but NODE_ENV=test gets OWASP's. */
export const hashPassword = (password: string, env: Pick<Env, 'NODE_ENV'> = getEnv()) =>
  hash(password.normalize('NFC'), env.NODE_ENV === 'test' ? TEST_PARAMS : PARAMS);

export async function verifyPassword(stored: string, password: string): Promise<boolean> {
  try {
    return await verify(stored, password.normalize('NFC'));
  } catch {
    return false;
  }
}

// A hash to verify against when the account does not exist, so timing does not tell.
let dummy: Promise<string> | undefined;
export const dummyHash = () => (dummy ??= hashPassword('no-such-account-placeholder'));

/** Readable one-time passwords: four groups without look-alike characters. */
export function oneTimePassword(): string {
  const alphabet = 'abcdefghjkmnpqrstuvwxyz23456789';
  return Array.from({ length: 4 }, () =>
    Array.from({ length: 4 }, () => alphabet[randomInt(alphabet.length)]).join(''),
  ).join('-');
}
