import { describe, expect, it } from 'vitest';
import { parseYamlConfig } from '../../src/config/parse-yaml-config.ts';
import { AlertsFileSchema, FeedsFileSchema } from '../../src/config/schemas.ts';

describe('parseYamlConfig', () => {
  it.each([
    {
      name: 'invalid-url-names-line-and-key',
      schema: FeedsFileSchema,
      text: 'feeds:\n  - id: ok\n    url: https://example.org/rss\n  - id: bad\n    url: not a url\n',
      expected: /^config: feeds\.yaml:5: feeds\.1\.url: /,
    },
    {
      name: 'missing-key-names-its-parent-line',
      schema: FeedsFileSchema,
      text: 'feeds:\n  - id: no-url\n    intervalMinutes: 5\n',
      expected: /^config: feeds\.yaml:2: feeds\.0\.url: /,
    },
    {
      name: 'yaml-syntax-error-names-line',
      schema: FeedsFileSchema,
      text: 'feeds:\n  - id: a\n    url: [unclosed\n',
      expected: /^config: feeds\.yaml:\d+: YAML syntax: /,
    },
    {
      name: 'unknown-channel',
      schema: AlertsFileSchema,
      text: 'rules:\n  - id: r\n    channels: [pager]\n',
      expected: /^config: feeds\.yaml:3: rules\.0\.channels\.0: /,
    },
    {
      name: 'bad-digest-time',
      schema: AlertsFileSchema,
      text: "digest:\n  time: '7am'\n",
      expected: /feeds\.yaml:2: digest\.time: digest time: HH:MM/,
    },
  ])('$name', ({ schema, text, expected }) => {
    expect(() => parseYamlConfig(text, 'feeds.yaml', schema)).toThrow(expected);
  });

  it.each([
    {
      name: 'misspelt-top-level-key',
      file: 'config/alerts.yaml',
      schema: AlertsFileSchema,
      text: '# rules\nrulez:\n  - id: r\n    channels: [slack]\n',
      expected: 'config: config/alerts.yaml:2: Unrecognized key: "rulez" (did you mean "rules"?)',
    },
    {
      name: 'misspelt-feed-key-names-its-own-line',
      file: 'config/feeds.yaml',
      schema: FeedsFileSchema,
      text: 'feeds:\n  - id: a\n    url: https://example.org/rss\n    intervall: 60\n',
      expected:
        'config: config/feeds.yaml:4: feeds.0: Unrecognized key: "intervall" (did you mean "intervalMinutes"?)',
    },
    {
      name: 'misspelt-rule-key',
      file: 'config/alerts.yaml',
      schema: AlertsFileSchema,
      text: 'rules:\n  - id: r\n    actor: [hamas]\n    channels: [slack]\n',
      expected: 'config: config/alerts.yaml:3: rules.0: Unrecognized key: "actor" (did you mean "actors"?)',
    },
    {
      name: 'unknown-key-reported-before-the-key-it-stands-for',
      file: 'config/alerts.yaml',
      schema: AlertsFileSchema,
      text: "rules:\n  - id: r\n    channels: [slack]\n    quietHours: { from: '22:00', too: '06:00' }\n",
      expected:
        'config: config/alerts.yaml:4: rules.0.quietHours: Unrecognized key: "too" (did you mean "to"?)',
    },
    {
      name: 'misspelt-digest-key',
      file: 'config/alerts.yaml',
      schema: AlertsFileSchema,
      text: "digest:\n  time: '07:00'\n  timeZone: UTC\n",
      expected:
        'config: config/alerts.yaml:3: digest: Unrecognized key: "timeZone" (did you mean "timezone"?)',
    },
    {
      name: 'misspelt-group-key',
      file: 'config/alerts.yaml',
      schema: AlertsFileSchema,
      text: 'digest:\n  groups:\n    - name: desk\n      to: [desk@example.org]\n      period: [weekly]\n',
      expected:
        'config: config/alerts.yaml:5: digest.groups.0: Unrecognized key: "period" (did you mean "periods"?)',
    },
    {
      name: 'unknown-key-far-from-any-lists-the-known-ones',
      file: 'config/feeds.yaml',
      schema: FeedsFileSchema,
      text: 'feeds:\n  - id: a\n    url: https://example.org/rss\n    colour: red\n',
      expected:
        'config: config/feeds.yaml:4: feeds.0: Unrecognized key: "colour" (known keys: id, url, title, intervalMinutes, labels)',
    },
    {
      name: 'duplicate-rule-id',
      file: 'config/alerts.yaml',
      schema: AlertsFileSchema,
      text: 'rules:\n  - id: r\n    channels: [slack]\n  - id: r\n    channels: [email]\n',
      expected: 'config: config/alerts.yaml:4: rules.1.id: rule id "r" appears twice (first at rules.0)',
    },
    {
      name: 'duplicate-feed-id',
      file: 'config/feeds.yaml',
      schema: FeedsFileSchema,
      text: 'feeds:\n  - id: a\n    url: https://example.org/1\n  - id: a\n    url: https://example.org/2\n',
      expected: 'config: config/feeds.yaml:4: feeds.1.id: feed id "a" appears twice (first at feeds.0)',
    },
  ])('$name', ({ file, schema, text, expected }) => {
    let message = '';
    try {
      parseYamlConfig(text, file, schema);
    } catch (error) {
      message = (error as Error).message;
    }
    expect(message).toBe(expected);
  });

  it('applies defaults and freezes the result', () => {
    const feeds = parseYamlConfig(
      'feeds:\n  - id: a\n    url: https://example.org/rss\n',
      'feeds.yaml',
      FeedsFileSchema,
    );
    expect(feeds.feeds[0]).toEqual({
      id: 'a',
      url: 'https://example.org/rss',
      intervalMinutes: 15,
      labels: [],
    });
    expect(Object.isFrozen(feeds.feeds[0])).toBe(true);
  });
});
