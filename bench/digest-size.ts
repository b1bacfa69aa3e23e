/**
 * Digest email size: the HTML of the reported 12-article day and of a heavy day (300 relevant
 * articles, 150 stories, 40 actors), against Gmail's clip size (about 102 KB) and our budget. With
 * `--baseline REV` it also renders the same days with the digest code of that git revision (checked
 * out into a temporary folder), for the before/after figure.
 *
 *   npm run bench:digest [-- --baseline b0a93d6]
 */
import { execFileSync } from 'node:child_process';
import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { buildDigest, type DigestInput } from '../src/digest/build-digest.ts';
import { MAX_DIGEST_HTML_BYTES, renderDigestHtml } from '../src/digest/render-digest.ts';
import { heavyDay, reportedDay } from '../tests/digest/sample-days.ts';

const GMAIL_CLIP_BYTES = 102 * 1024;
const days: [string, DigestInput][] = [
  ['reported day (12 articles)', reportedDay()],
  ['heavy day (300 articles)', heavyDay()],
];

type Render = (input: DigestInput) => string;

/** The digest renderer of an older revision: its src/digest files, imported from a scratch copy. */
async function rendererAt(rev: string): Promise<Render> {
  // Inside the project (data/ is not tracked), so the copy resolves the project's node_modules.
  mkdirSync('data', { recursive: true });
  const dir = mkdtempSync(path.join('data', 'digest-baseline-'));
  const files = execFileSync('git', ['ls-tree', '--name-only', `${rev}:src/digest`], { encoding: 'utf8' })
    .split('\n')
    .filter((f) => f.endsWith('.ts'));
  mkdirSync(path.join(dir, 'src/digest'), { recursive: true });
  for (const file of ['src/errors.ts', ...files.map((f) => `src/digest/${f}`)]) {
    writeFileSync(path.join(dir, file), execFileSync('git', ['show', `${rev}:${file}`]));
  }
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  const build = (await import(pathToFileURL(path.resolve(dir, 'src/digest/build-digest.ts')).href)) as {
    buildDigest: typeof buildDigest;
  };
  const render = (await import(pathToFileURL(path.resolve(dir, 'src/digest/render-digest.ts')).href)) as {
    renderDigestHtml: (d: unknown) => string;
  };
  return (input) => render.renderDigestHtml(build.buildDigest(input));
}

const baselineAt = process.argv.indexOf('--baseline');
const baselineRev = baselineAt >= 0 ? process.argv[baselineAt + 1] : undefined;
const baseline = baselineRev ? await rendererAt(baselineRev) : null;
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;

console.log(`budget ${kb(MAX_DIGEST_HTML_BYTES)}, Gmail clips past ${kb(GMAIL_CLIP_BYTES)}`);
for (const [name, input] of days) {
  const now = Buffer.byteLength(renderDigestHtml(buildDigest(input)));
  const before = baseline ? ` (${baselineRev}: ${kb(Buffer.byteLength(baseline(input)))})` : '';
  console.log(`${name}: HTML ${kb(now)}${before} ${now <= GMAIL_CLIP_BYTES ? 'not clipped' : 'CLIPPED'}`);
}
