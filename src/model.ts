/**
 * The data passed between pipeline stages. Every stage in `src/` takes and returns these plain
 * objects; zod schemas double as the validation of job payloads crossing a queue.
 */
import { z } from 'zod';
import { parseRuleExpression, RuleExpressionError } from './alerts/rule-expression.ts';

/** ISO 8601 instant as a string (`2025-12-19T14:00:00.000Z`), or null when unknown. */
const isoDate = z.string().nullable();

/** One entry of `config/feeds.yaml`. */
export const FeedConfigSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'feed id: lowercase letters, digits and dashes'),
    url: z.url(),
    title: z.string().optional(),
    /** Minutes between two polls of this feed. @defaultValue 15 */
    intervalMinutes: z
      .number()
      .int()
      .min(1)
      .max(24 * 60)
      .default(15),
    labels: z.array(z.string()).default([]),
  })
  .strict();
export type FeedConfig = z.infer<typeof FeedConfigSchema>;

/** One item of a parsed feed, as the DESIGN.md `parse-feed` contract prints it. */
export const FeedItemSchema = z.object({
  title: z.string(),
  link: z.string().nullable(),
  id: z.string().nullable(),
  published: isoDate,
  updated: isoDate.optional(),
  summary: z.string(),
  content: z.string(),
});
export type FeedItem = z.infer<typeof FeedItemSchema>;

export const ParsedFeedSchema = z.object({
  title: z.string(),
  link: z.string().nullable(),
  items: z.array(FeedItemSchema),
  /** What the lenient pass had to repair ("bare &", "truncated document", …); empty when none. */
  repairs: z.array(z.string()).optional(),
});
export type ParsedFeed = z.infer<typeof ParsedFeedSchema>;

/** What the article stage needs to know about a new feed item (the `article` queue payload). */
export const ArticleRefSchema = z.object({
  feedId: z.string(),
  url: z.url(),
  canonicalUrl: z.url(),
  title: z.string(),
  published: isoDate,
  /** The feed's own HTML for the item (content:encoded or summary), used when extraction fails. */
  feedContent: z.string(),
  /** The item's guid / Atom id, verbatim, when the feed gives one. */
  guid: z.string().nullable().default(null),
  /** Hash of the item's normalised title and content: a change means the item was updated. */
  contentHash: z.string().default(''),
  /** True when an item seen before came back with changed content, or at a new URL. */
  isUpdate: z.boolean().default(false),
  /**
   * The canonical URL the item was stored under when it now comes at another one with the same guid
   * (the site rewrote the slug): the stored article moves to the new URL instead of being duplicated.
   */
  previousCanonicalUrl: z.string().nullable().default(null),
  /** Updates of this item processed before this one: 0 for a new item. Part of the job key. */
  version: z.number().int().min(0).default(0),
});
export type ArticleRef = z.infer<typeof ArticleRefSchema>;

/** An extracted article: the result of `extractArticle`. */
export const ExtractedArticleSchema = z.object({
  url: z.string(),
  title: z.string(),
  byline: z.string().nullable(),
  published: isoDate,
  /** Last modification, when the page says (meta, JSON-LD dateModified). */
  modified: isoDate,
  /** The page's own canonical URL (`<link rel=canonical>`, og:url), absolute; null when absent. */
  canonicalUrl: z.string().nullable(),
  lang: z.string().nullable(),
  siteName: z.string().nullable(),
  /** Lead image URL (og:image, JSON-LD image), absolute. */
  leadImage: z.string().nullable(),
  /** The visible text is a paywall teaser, not the whole article. */
  paywalled: z.boolean(),
  /** Where the text came from: Readability, the page's JSON-LD articleBody, or (later) the feed. */
  textSource: z.enum(['readability', 'json-ld']),
  text: z.string(),
});
export type ExtractedArticle = z.infer<typeof ExtractedArticleSchema>;

/** The tagger's input: anything with a title, a text and (optionally) a publication date. */
export interface TaggableArticle {
  title: string;
  text: string;
  published?: string | null;
}

export const MentionSchema = z.object({
  kind: z.enum(['actor', 'phase']),
  /** Taxonomy id of the actor or phase. */
  id: z.string(),
  field: z.enum(['title', 'text']),
  /** UTF-16 offsets into `field` of the original (un-normalised) string. */
  start: z.number().int(),
  end: z.number().int(),
  text: z.string(),
  /** The sentence the mention sits in: the evidence snippet shown to people. */
  sentence: z.string(),
});
export type Mention = z.infer<typeof MentionSchema>;

export const TagSchema = z.object({
  id: z.string(),
  count: z.number().int(),
  /** The first evidence sentence. */
  evidence: z.string(),
  /** Salience: the tag is in the title, or in the lead (the first paragraph / first sentences). */
  inTitle: z.boolean().optional(),
  inLead: z.boolean().optional(),
});
export type Tag = z.infer<typeof TagSchema>;

export const TagResultSchema = z.object({
  relevant: z.boolean(),
  actors: z.array(TagSchema),
  phases: z.array(TagSchema),
  mentions: z.array(MentionSchema),
});
export type TagResult = z.infer<typeof TagResultSchema>;

/** An article ready to store and alert on (the `store` and `alert` queue payload). */
export const TaggedArticleSchema = z.object({
  feedId: z.string(),
  url: z.string(),
  canonicalUrl: z.string(),
  title: z.string(),
  byline: z.string().nullable(),
  lang: z.string().nullable(),
  text: z.string(),
  published: isoDate,
  fetchedAt: z.string(),
  /** 'page' when Readability extracted the page, 'feed' when the feed's own content stood in. */
  source: z.enum(['page', 'feed']),
  /** Why the feed's content stood in (the page's failure, or that the feed's text was better). */
  sourceReason: z.string().nullable().optional(),
  tags: TagResultSchema,
  /** The feed item's guid and content hash (see ArticleRef), kept to recognise the item later. */
  guid: z.string().nullable().optional(),
  contentHash: z.string().optional(),
  isUpdate: z.boolean().optional(),
  /** See ArticleRef: the URL the stored article moves from. */
  previousCanonicalUrl: z.string().nullable().optional(),
  /** See ArticleRef: which version of the item this is. */
  version: z.number().int().min(0).optional(),
});
export type TaggedArticle = z.infer<typeof TaggedArticleSchema>;

/** Where alerts go. */
export const ChannelSchema = z.enum(['slack', 'email', 'webhook']);
export type Channel = z.infer<typeof ChannelSchema>;

/**
 * An article as the store reads it back: the tagged article's fields flattened, with its row id.
 * What alerts are composed from (every copy of a story) and what `alerts test` evaluates.
 */
export interface StoredArticleFields {
  id: number;
  feedId: string;
  url: string;
  canonicalUrl: string;
  title: string;
  byline: string | null;
  lang: string | null;
  text: string;
  published: string | null;
  /** When the article was first fetched; re-processing does not move it. */
  fetchedAt: string;
  source: 'page' | 'feed';
  relevant: boolean;
  actors: Tag[];
  phases: Tag[];
  mentions: Mention[];
}

/** An alert rule of `config/alerts.yaml`: every listed condition must hold (any-of within a list). */
const AlertRuleFieldsSchema = z
  .object({
    id: z.string().regex(/^[a-z0-9][a-z0-9-]*$/, 'rule id: lowercase letters, digits and dashes'),
    description: z.string().optional(),
    /** Fires when the article carries any of these actor ids. */
    actors: z.array(z.string()).default([]),
    /** Fires when the article carries any of these phase ids. */
    phases: z.array(z.string()).default([]),
    /** Fires when the title or text contains any of these words or phrases (case-insensitive, whole words). */
    keywords: z.array(z.string()).default([]),
    /** Only articles the tagger judged relevant. @defaultValue true */
    relevantOnly: z.boolean().default(true),
    /** At most this many messages an hour per channel; the rest wait for one summary. */
    maxPerHour: z.number().int().min(1).optional(),
    /** No messages between these local times (the digest's time zone); held alerts follow in one summary. */
    quietHours: z
      .object({
        from: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'quiet hours: HH:MM'),
        to: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'quiet hours: HH:MM'),
      })
      .strict()
      .optional(),
    channels: z.array(ChannelSchema).min(1),
    /**
     * A boolean expression over `actor:ID`, `phase:ID`, `feed:ID`, words and "quoted phrases" with AND, OR,
     * NOT, parentheses and NEAR/n (see src/alerts/rule-expression.ts); must hold besides the lists.
     */
    when: z.string().optional(),
    /** Only articles from these feed ids (config/feeds.yaml); absent or empty = every feed. */
    feeds: z.array(z.string()).optional(),
    /**
     * Where an actor or phase must be for its condition to count: anywhere ('any'), in the title or the
     * lead ('lead'), in the title ('title'). @defaultValue 'any'
     */
    salience: z.enum(['any', 'lead', 'title']).optional(),
  })
  .strict();
/** Parsed here so a mistake in `when` is reported with the file, the line and rules.N.when. */
export const AlertRuleSchema = AlertRuleFieldsSchema.superRefine((rule, ctx) => {
  if (rule.when === undefined) return;
  try {
    parseRuleExpression(rule.when, rule.id);
  } catch (error) {
    if (!(error instanceof RuleExpressionError)) throw error;
    ctx.addIssue({
      code: 'custom',
      path: ['when'],
      message: `rule ${rule.id}: column ${error.column}: ${error.problem}`,
    });
  }
});
export type AlertRule = z.infer<typeof AlertRuleSchema>;

/** One rule that an article fired, with the reasons shown in the message. */
export interface AlertMatch {
  ruleId: string;
  reasons: string[];
}

/**
 * One story to alert a rule's channel about: the `alert` queue payload. It names the story, not an
 * article: the message is composed when it is sent, from every copy of the story stored by then, so
 * it does not depend on which copy happened to be stored first.
 */
export const AlertJobSchema = z.object({
  ruleId: z.string(),
  channel: ChannelSchema,
  storyId: z.number().int(),
  /** The actors and phases the story carried when the alert was planned (see storyTagsKey). */
  tagsKey: z.string(),
  /** The stored copy whose arrival planned this alert (for logs). */
  articleId: z.number().int(),
});
export type AlertJob = z.infer<typeof AlertJobSchema>;
