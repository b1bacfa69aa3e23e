/**
 * zod schemas of every file in `config/` (the watchlist schema lives with the tagger that compiles it).
 * Every object is strict: an unknown key is a mistake to report, never a key to drop.
 */
import { z } from 'zod';
import { AlertRuleSchema, FeedConfigSchema } from '../model.ts';

/** An issue at the second and later entries whose id an earlier entry already has. */
function uniqueIds<K extends 'feeds' | 'rules'>(list: K, what: string) {
  return (file: Record<K, readonly { id: string }[]>, ctx: z.RefinementCtx) => {
    const first = new Map<string, number>();
    file[list].forEach(({ id }, i) => {
      const earlier = first.get(id);
      if (earlier === undefined) first.set(id, i);
      else
        ctx.addIssue({
          code: 'custom',
          path: [list, i, 'id'],
          message: `${what} id "${id}" appears twice (first at ${list}.${earlier})`,
        });
    });
  };
}

export const FeedsFileSchema = z
  .strictObject({
    feeds: z.array(FeedConfigSchema).min(1),
  })
  // Ids key each feed's history in the database.
  .superRefine(uniqueIds('feeds', 'feed'));
export type FeedsFile = z.infer<typeof FeedsFileSchema>;

export const DigestConfigSchema = z.strictObject({
  /** Local time of day the daily digest is built, `HH:MM`. @defaultValue "07:00" */
  time: z
    .string()
    .regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'digest time: HH:MM, 24-hour')
    .default('07:00'),
  /** IANA time zone of `time` and of the digest's day boundaries. @defaultValue "UTC" */
  timezone: z
    .string()
    .refine((tz) => {
      try {
        new Intl.DateTimeFormat('en', { timeZone: tz });
        return true;
      } catch {
        return false;
      }
    }, 'digest timezone: not an IANA time zone (e.g. Europe/London)')
    .default('UTC'),
  /** Also a weekly digest, at `time` on this weekday, covering the 7 days before. Absent = none. */
  weeklyOn: z.enum(['monday', 'tuesday', 'wednesday', 'thursday', 'friday', 'saturday', 'sunday']).optional(),
  /**
   * Recipient groups, each with the digests it wants; one email per group and digest. Empty: the
   * digest goes to DIGEST_EMAIL_TO (or ALERT_EMAIL_TO).
   */
  groups: z
    .array(
      z.strictObject({
        name: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'group name: lowercase letters, digits and dashes'),
        to: z.array(z.email()).min(1),
        periods: z
          .array(z.enum(['daily', 'weekly']))
          .min(1)
          .default(['daily']),
      }),
    )
    .default([]),
});
export type DigestConfig = z.infer<typeof DigestConfigSchema>;

export const AlertsFileSchema = z
  .strictObject({
    rules: z.array(AlertRuleSchema).default([]),
    digest: DigestConfigSchema.default({ time: '07:00', timezone: 'UTC', groups: [] }),
  })
  // Ids key deliveries, the per-rule Atom feeds and `cli alerts test RULE`.
  .superRefine(uniqueIds('rules', 'rule'));
export type AlertsFile = z.infer<typeof AlertsFileSchema>;
