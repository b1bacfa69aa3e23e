/** The texts of tests/fixtures/stories: one story and its syndicated copies, and other stories on the topic. */
import { readFileSync } from 'node:fs';

const dir = new URL('../fixtures/stories/', import.meta.url);

function read(name: string): string {
  return readFileSync(new URL(name, dir), 'utf8');
}

/** The wire original and five copies of it, by fixture name (file name without `.txt`). */
export const storyCopies: Record<string, string> = Object.fromEntries(
  [
    'seed--witkoff-miami-talks',
    'copy--new-intro-dropped-paragraph-boilerplate',
    'copy--ap-style-trimmed',
    'copy--aggregator-subheads-removed-new-ending',
    'copy--wire-brief-first-three-paragraphs',
    'copy--wire-brief-first-two-paragraphs',
  ].map((name) => [name, read(`${name}.txt`)]),
);

export interface OtherStory {
  id: string;
  source_url: string;
  title: string;
  text: string;
}

/** Ten different Gaza-ceasefire stories from the tagging dev set. */
export const otherStories: OtherStory[] = read('gaza-other-stories.jsonl')
  .trim()
  .split('\n')
  .map((line) => JSON.parse(line) as OtherStory);

export const seedText = storyCopies['seed--witkoff-miami-talks'] as string;
