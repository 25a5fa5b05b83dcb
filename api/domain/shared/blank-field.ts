import { z } from 'zod';

/** A form or query field a person may leave empty: '' counts as not given, anything else must pass `schema`. */
export const blankOr = <T extends z.ZodType>(schema: T) =>
  z.union([z.literal('').transform(() => undefined), schema]).optional();
