// @ts-check
import js from '@eslint/js';
import tseslint from 'typescript-eslint';

/** Pure stage folders: they take data and return data; I/O lives in http/, store/, channels/, pipeline/. */
const pureFolders = [
  'src/feeds',
  'src/extract',
  'src/tagging',
  'src/digest',
  'src/stories',
  'src/alerts/match-rules.ts',
  'src/alerts/alert-facts.ts',
  'src/alerts/rule-expression.ts',
  'src/alerts/evaluate-rule.ts',
  'src/alerts/atom-feed.ts',
  'src/alerts/compose-alert.ts',
  'src/alerts/choose-evidence.ts',
];

export default tseslint.config(
  { ignores: ['node_modules/', 'data/', 'digests/', 'coverage/'] },
  { linterOptions: { reportUnusedDisableDirectives: 'error' } },
  js.configs.recommended,
  ...tseslint.configs.strict,
  {
    languageOptions: { globals: { process: 'readonly', console: 'readonly' } },
    rules: {
      '@typescript-eslint/no-unused-vars': ['error', { argsIgnorePattern: '^_' }],
    },
  },
  {
    files: pureFolders.map((f) => (f.endsWith('.ts') ? f : `${f}/**/*.ts`)),
    rules: {
      'no-restricted-imports': [
        'error',
        {
          patterns: [
            {
              group: ['**/store/**', '**/pipeline/**', '**/queue/**', '**/channels/**', '**/http/**'],
              message: 'pure stages receive facts as arguments; only src/pipeline joins them to I/O',
            },
            {
              group: ['bullmq', 'ioredis', 'pg', '@electric-sql/pglite', 'nodemailer'],
              message: 'no I/O in a pure stage',
            },
          ],
        },
      ],
    },
  },
);
