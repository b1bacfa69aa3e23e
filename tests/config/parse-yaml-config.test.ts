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
