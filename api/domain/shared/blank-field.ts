import { z } from 'zod';

/**
 * A form or query field a person may leave empty: '' counts as not given, anything else must pass `schema`. A value
 * that fails is refused with `schema`'s own message (a union's default is zod's English "Invalid input").
 */
export const blankOr = <T extends z.ZodType>(schema: T) =>
  z
    .union([z.literal('').transform(() => undefined), schema], {
      error: (issue) => (issue as { errors?: { message: string }[][] }).errors?.[1]?.[0]?.message,
    })
    .optional();
