/**
 * Config objects that refuse keys they do not know. A misspelt key is otherwise dropped without a
 * word (`rulez:` ran with no rules, `intervall: 60` polled every 15 minutes), so every object of a
 * config file is strict and the error names the nearest known key. Pure.
 */
import { z } from 'zod';
import { closestMatch } from './closest-match.ts';

/**
 * The message for keys an object does not know, with the nearest known key when one is close and
 * the known keys otherwise. zod's own wording comes first, so the line reads the same whichever
 * parser reports it.
 *
 * @example
 * unknownKeysMessage(['rulez'], ['rules', 'digest']);
 * // 'Unrecognized key: "rulez" (did you mean "rules"?)'
 * unknownKeysMessage(['colour'], ['rules', 'digest']);
 * // 'Unrecognized key: "colour" (known keys: rules, digest)'
 */
export function unknownKeysMessage(keys: readonly string[], known: readonly string[]): string {
  const hints = keys.map((key) => {
    const closest = closestMatch(key, known);
    return closest?.close
      ? `"${key}" (did you mean "${closest.name}"?)`
      : `"${key}" (known keys: ${known.join(', ') || 'none'})`;
  });
  return `Unrecognized key${keys.length === 1 ? '' : 's'}: ${hints.join(', ')}`;
}

/**
 * zod's error customisation for `unrecognized_keys` issues: the known keys are those of the object
 * that raised the issue. Other issues keep zod's message (undefined).
 */
export function unknownKeysError(issue: z.core.$ZodRawIssue): string | undefined {
  if (issue.code !== 'unrecognized_keys') return undefined;
  const shape = (issue.inst as { _zod?: { def?: { shape?: object } } } | undefined)?._zod?.def?.shape;
  return unknownKeysMessage(issue.keys, shape ? Object.keys(shape) : []);
}

/**
 * `z.strictObject` whose unknown-key error suggests the key meant, for schemas parsed outside
 * parseYamlConfig (which applies {@link unknownKeysError} to every object it parses).
 *
 * @example
 * const Office = strictObject({ titles: z.array(z.string()), from: z.string() });
 * Office.safeParse({ title: ['x'], from: '2025-01-01' });
 * // issue at [], message 'Unrecognized key: "title" (did you mean "titles"?)' (and "titles" required)
 */
export function strictObject<S extends z.ZodRawShape>(shape: S) {
  return z.strictObject(shape, { error: unknownKeysError });
}
