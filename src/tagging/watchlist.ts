/**
 * The watchlist file (`config/watchlists/*.yaml`): its zod schema and `parseWatchlist`, which turns the
 * YAML text into a validated `Watchlist` or a PipelineError naming the file, line and key path. Reading
 * the file is the loader's job (src/config/); this module only sees text. Every object is strict, and
 * an unknown key's error names the key meant (`alias` → `aliases`).
 */
import { LineCounter, isNode, parseDocument, type Document } from 'yaml';
import { z } from 'zod';
import { strictObject } from '../config/strict-object.ts';
import { configInvalid } from '../errors.ts';

const slug = z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'id: lowercase letters, digits and dashes');
const phrase = z.string().trim().min(1, 'phrase: must not be empty');
const phrases = z.array(phrase).default([]);
const isoDay = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'date: YYYY-MM-DD');

/**
 * How an actor's phrases compare with the text's letter case (README "Case"):
 * - `proper` (the default for a phrase with a capital): each word as written, in capitals, or with its
 *   first letter capitalised (headline case); an acronym word ("WHO", "PA") only in capitals; name
 *   particles (al, el, bin, abu, …) in any case, so "al Thani" = "Al Thani".
 * - `sensitive`: each word exactly as written.
 * - `insensitive` (the default for an all-lower-case phrase): any case.
 */
export const CaseRuleSchema = z.enum(['proper', 'sensitive', 'insensitive']);
export type CaseRule = z.infer<typeof CaseRuleSchema>;

/** A title held by one person between two dates ("Turkey's foreign minister" from 2023-06-04). */
export const OfficeSchema = strictObject({
  titles: z.array(phrase).min(1),
  /** First day in office (inclusive). */
  from: isoDay,
  /** First day out of office (exclusive); absent while the holder is in office. */
  to: isoDay.optional(),
}).refine((o) => o.to === undefined || o.to > o.from, { message: 'to: must be after from', path: ['to'] });
export type Office = z.infer<typeof OfficeSchema>;

export const WatchlistActorSchema = strictObject({
  id: slug,
  /** Display name (digests, alerts). */
  name: z.string().trim().min(1),
  kind: z.enum(['person', 'state', 'organization', 'body']),
  /** Names and variants; each counts wherever it occurs (outside `exclude`). */
  aliases: z.array(phrase).min(1),
  /** Overrides the default case rule for every phrase of this actor. */
  case: CaseRuleSchema.optional(),
  /** Titles that name this actor only while it holds the office, by the article's date. */
  offices: z.array(OfficeSchema).default([]),
  /**
   * Short names shared with other people or common words ("Katz", "Vance", "Abbas"): they count only
   * when the article also names the actor by an alias or a valid title before (or, in the headline,
   * anywhere in the article).
   */
  afterFullName: phrases,
  /** State demonyms: count only before a government noun ("Turkish troops", not "Turkish time"). */
  demonyms: phrases,
  /** Aliases that, before a lower-case word, count only before a government noun or function word. */
  modifierAliases: phrases,
  /** Capitals / seats of government: count only when they stand for the government ("Cairo said"). */
  capitals: phrases,
  /** Phrases inside which this actor's aliases do not count ("trump card", "Israel Katz"). */
  exclude: phrases,
});
export type WatchlistActor = z.infer<typeof WatchlistActorSchema>;

export const PhaseElementSchema = strictObject({
  name: slug,
  /** Term groups that must all occur in one sentence (any term of each group). */
  all: z.array(z.array(phrase).min(1)).min(1),
  /** Terms that, anywhere in the sentence, cancel the element (dating clauses: "since"). */
  none: phrases,
  /** When given, one of these must be in the same sentence or the one before ("...under the agreement. ...must disarm"). */
  context: phrases,
});
export type PhaseElement = z.infer<typeof PhaseElementSchema>;

export const WatchlistPhaseSchema = strictObject({
  id: slug,
  /** Display name (digests, alerts). */
  name: z.string().trim().min(1),
  /** Explicit names ("second phase"); count when a `phaseContext` term is in the same or an adjacent sentence. */
  names: phrases,
  /**
   * Names that mean this phase only for articles published in [publishedFrom, publishedBefore)
   * ("the present phase" before 2026, "the next phase" once the truce began). Undated articles count.
   */
  datedNames: z
    .array(
      strictObject({
        phrases: z.array(phrase).min(1),
        publishedFrom: isoDay.optional(),
        publishedBefore: isoDay.optional(),
      }),
    )
    .default([]),
  /** Look-alikes that are never this phase ("next phases", "all phases"); shown as refused by explain. */
  lookalikes: phrases,
  elements: z.array(PhaseElementSchema).default([]),
  /** Actors whose mention discusses this phase (the plan's bodies). */
  impliedByActors: z.array(slug).default([]),
});
export type WatchlistPhase = z.infer<typeof WatchlistPhaseSchema>;

export const RelevanceSchema = strictObject({
  anchors: z.array(phrase).min(1),
  anchorActors: z.array(slug).default([]),
  topics: z.array(phrase).min(1),
  /** Share of text sentences on topic that makes an article relevant. @defaultValue 0.33 */
  minShare: z.number().min(0).max(1).default(0.33),
  /** On-topic text sentences needed when the title has an anchor. @defaultValue 1 */
  titleMinSentences: z.number().int().min(0).default(1),
});

export const WatchlistSchema = strictObject({
  version: z.literal(1),
  id: slug,
  title: z.string().optional(),
  vocabulary: strictObject({
    governmentNouns: z.array(phrase).min(1),
    governmentModifiers: phrases,
    governmentVerbs: z.array(phrase).min(1),
    functionWords: phrases,
    locativeWords: phrases,
  }),
  actors: z.array(WatchlistActorSchema).min(1),
  phases: z.array(WatchlistPhaseSchema).default([]),
  /**
   * Phase cues of articles published before this day are refused: they speak of earlier deals with
   * phases of their own (the January 2025 truce had a "second phase" too). Undated articles count.
   */
  phasesFrom: isoDay.optional(),
  phaseContext: z.array(phrase).min(1),
  relevance: RelevanceSchema,
}).superRefine((w, ctx) => {
  const seen = new Map<string, number>();
  const all = [
    ...w.actors.map((a) => ['actors', a.id] as const),
    ...w.phases.map((p) => ['phases', p.id] as const),
  ];
  all.forEach(([list, id], i) => {
    const index = list === 'actors' ? i : i - w.actors.length;
    if (seen.has(id))
      ctx.addIssue({ code: 'custom', path: [list, index, 'id'], message: `duplicate id "${id}"` });
    seen.set(id, i);
  });
  const actorIds = new Set(w.actors.map((a) => a.id));
  w.phases.forEach((p, i) =>
    p.impliedByActors.forEach((id, j) => {
      if (!actorIds.has(id))
        ctx.addIssue({
          code: 'custom',
          path: ['phases', i, 'impliedByActors', j],
          message: `unknown actor "${id}"`,
        });
    }),
  );
  w.relevance.anchorActors.forEach((id, j) => {
    if (!actorIds.has(id))
      ctx.addIssue({
        code: 'custom',
        path: ['relevance', 'anchorActors', j],
        message: `unknown actor "${id}"`,
      });
  });
  w.actors.forEach((a, i) => {
    if (a.kind !== 'state' && a.demonyms.length > 0)
      ctx.addIssue({
        code: 'custom',
        path: ['actors', i, 'demonyms'],
        message: 'demonyms are for states only',
      });
  });
});
export type Watchlist = z.infer<typeof WatchlistSchema>;

/**
 * Parse and validate a watchlist YAML text.
 *
 * @param yamlText - the file's content
 * @param fileName - the file's path, used only in error messages
 * @throws PipelineError (stage `config`, code `CONFIG_INVALID`) naming file, line and key path
 * @example
 * const watchlist = parseWatchlist(readFileSync(path, 'utf8'), path);
 * const matcher = compileWatchlist(watchlist);
 */
export function parseWatchlist(yamlText: string, fileName: string): Watchlist {
  const lineCounter = new LineCounter();
  const doc = parseDocument(yamlText, { lineCounter, prettyErrors: false, uniqueKeys: true });
  const syntaxError = doc.errors[0];
  if (syntaxError) {
    const line = syntaxError.linePos?.[0].line ?? lineCounter.linePos(syntaxError.pos[0]).line;
    throw configInvalid(
      fileName,
      `line ${line}: ${syntaxError.message.split('\n')[0] ?? syntaxError.code}`,
      syntaxError,
    );
  }
  const result = WatchlistSchema.safeParse(doc.toJS());
  if (!result.success) {
    const problems = result.error.issues.slice(0, 5).map((issue) => {
      const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
      const line = lineOf(doc, lineCounter, issue.path);
      return `line ${line}: ${path.replace(/^\./, '') || '(root)'}: ${issue.message}`;
    });
    const more = result.error.issues.length > 5 ? ` (and ${result.error.issues.length - 5} more)` : '';
    throw configInvalid(fileName, problems.join('; ') + more, result.error);
  }
  return result.data;
}

/** Line of the deepest node of `path` that exists in the document (the parent of a missing key). */
function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number {
  for (let depth = path.length; depth >= 0; depth--) {
    const node: unknown = depth === 0 ? doc.contents : doc.getIn(path.slice(0, depth), true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return 1;
}
