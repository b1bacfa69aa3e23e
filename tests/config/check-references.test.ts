import { describe, expect, it } from 'vitest';
import { checkConfigReferences } from '../../src/config/check-references.ts';
import { AlertsFileSchema, FeedsFileSchema } from '../../src/config/schemas.ts';
import { parseWatchlist } from '../../src/tagging/watchlist.ts';

/** The smallest watchlist the schema takes: two actors, two phases. */
const watchlist = parseWatchlist(
  [
    'version: 1',
    'id: mini',
    'vocabulary: { governmentNouns: [government], governmentVerbs: [said] }',
    'actors:',
    '  - { id: hamas, name: Hamas, kind: organization, aliases: [Hamas] }',
    '  - { id: steve-witkoff, name: Steve Witkoff, kind: person, aliases: [Steve Witkoff] }',
    'phases:',
    '  - { id: phase-1, name: Phase one, names: [first phase] }',
    '  - { id: phase-2, name: Phase two, names: [second phase] }',
    'phaseContext: [ceasefire]',
    'relevance: { anchors: [Gaza], topics: [ceasefire] }',
  ].join('\n'),
  'mini.yaml',
);
const feeds = FeedsFileSchema.parse({
  feeds: [
    { id: 'times-of-israel', url: 'https://www.timesofisrael.com/feed/' },
    { id: 'bbc-middle-east', url: 'https://feeds.bbci.co.uk/news/world/middle_east/rss.xml' },
  ],
});
const check = (rule: Record<string, unknown>) =>
  checkConfigReferences({
    feeds,
    watchlist,
    alerts: AlertsFileSchema.parse({ rules: [{ id: 'r', channels: ['slack'], ...rule }] }),
  });

describe('checkConfigReferences', () => {
  it.each([
    {
      name: 'every-id-known',
      rule: {
        actors: ['hamas'],
        phases: ['phase-2'],
        feeds: ['times-of-israel'],
        when: 'actor:steve-witkoff OR (feed:bbc-middle-east NOT phase:phase-1)',
      },
      expected: [],
    },
    {
      name: 'unknown-actor-in-list',
      rule: { actors: ['hamas', 'steve-witkof'] },
      expected: [
        {
          path: ['rules', 0, 'actors', 1],
          message: 'rule r: actor "steve-witkof" is not in the watchlist (did you mean "steve-witkoff"?)',
        },
      ],
    },
    {
      name: 'unknown-phase-in-list',
      rule: { phases: ['phase2'] },
      expected: [
        {
          path: ['rules', 0, 'phases', 0],
          message: 'rule r: phase "phase2" is not in the watchlist (did you mean "phase-2"?)',
        },
      ],
    },
    {
      name: 'unknown-feed-in-list',
      rule: { feeds: ['times-of-isreal'] },
      expected: [
        {
          path: ['rules', 0, 'feeds', 0],
          message: 'rule r: feed "times-of-isreal" is not in feeds.yaml (did you mean "times-of-israel"?)',
        },
      ],
    },
    {
      name: 'unknown-ids-in-when-with-columns',
      rule: { when: 'actor:hamaz (talks OR feed:bbc) NOT phase:phase-9' },
      expected: [
        {
          path: ['rules', 0, 'when'],
          message: 'rule r: column 1: actor "hamaz" is not in the watchlist (did you mean "hamas"?)',
        },
        {
          path: ['rules', 0, 'when'],
          message: 'rule r: column 23: feed "bbc" is not in feeds.yaml (the closest is "bbc-middle-east")',
        },
        {
          path: ['rules', 0, 'when'],
          message: 'rule r: column 37: phase "phase-9" is not in the watchlist (did you mean "phase-1"?)',
        },
      ],
    },
    {
      name: 'far-from-every-id-still-names-the-closest',
      rule: { actors: ['egypt'] },
      expected: [
        {
          path: ['rules', 0, 'actors', 0],
          message: 'rule r: actor "egypt" is not in the watchlist (the closest is "hamas")',
        },
      ],
    },
  ])('$name', ({ rule, expected }) => {
    expect(check(rule)).toEqual(expected);
  });
});
