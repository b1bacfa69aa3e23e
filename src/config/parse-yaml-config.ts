/**
 * YAML text → validated, frozen config. A problem becomes one line naming the file, the line and the
 * key path (`config/feeds.yaml:7: feeds.2.url: Invalid URL`), because that is what a person editing the
 * file needs to find it.
 */
import { LineCounter, parseDocument, isMap, isNode, isScalar, type Document } from 'yaml';
import type { z } from 'zod';
import { configInvalid, type PipelineError } from '../errors.ts';
import { unknownKeysError } from './strict-object.ts';

function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | null {
  // Walk up the path until a node with a source range exists (a missing key has no node of its own).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return null;
}

/** Line of `key` itself in the mapping at `path`: an unknown key has no schema node to point at. */
function keyLineOf(
  doc: Document,
  lineCounter: LineCounter,
  path: readonly PropertyKey[],
  key: string,
): number | null {
  const parent = path.length === 0 ? doc.contents : doc.getIn(path as unknown[], true);
  if (isMap(parent)) {
    for (const pair of parent.items) {
      if (isScalar(pair.key) && String(pair.key.value) === key && pair.key.range) {
        return lineCounter.linePos(pair.key.range[0]).line;
      }
    }
  }
  return lineOf(doc, lineCounter, path);
}

function configError(fileName: string, line: number | null, detail: string) {
  return configInvalid(line === null ? fileName : `${fileName}:${line}`, detail);
}

function keyPathText(path: readonly PropertyKey[]): string {
  return path.length > 0 ? `${path.map(String).join('.')}: ` : '';
}

/**
 * @example
 * const feeds = parseYamlConfig(text, 'config/feeds.yaml', FeedsFileSchema);
 */
export function parseYamlConfig<S extends z.ZodType>(text: string, fileName: string, schema: S): z.infer<S> {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const yamlError = doc.errors[0];
  if (yamlError) {
    const line = lineCounter.linePos(yamlError.pos[0]).line;
    throw configError(fileName, line, `YAML syntax: ${yamlError.message.split('\n')[0] ?? ''}`);
  }
  // Every object of a config file is strict; this names the key meant when one is misspelt.
  const result = schema.safeParse(doc.toJS(), { error: unknownKeysError });
  if (!result.success) {
    // An unknown key first: it often explains a required key reported missing (`too:` for `to:`).
    const issue = result.error.issues.find((i) => i.code === 'unrecognized_keys') ?? result.error.issues[0];
    const path = issue?.path ?? [];
    const line =
      issue?.code === 'unrecognized_keys' && issue.keys[0] !== undefined
        ? keyLineOf(doc, lineCounter, path, issue.keys[0])
        : lineOf(doc, lineCounter, path);
    throw configError(fileName, line, `${keyPathText(path)}${issue?.message ?? 'invalid'}`);
  }
  return deepFreeze(result.data) as z.infer<S>;
}

/** A problem found in a parsed file: the key path it is at and what is wrong. */
export interface ConfigProblem {
  path: readonly (string | number)[];
  message: string;
}

/**
 * Problems found after parsing (ids another file does not define), as one error with one line per
 * problem, each naming the file, the line of its key path in `text` and the key path.
 *
 * @example
 * configProblemsError(text, 'config/alerts.yaml', [{ path: ['rules', 0, 'actors', 0], message: 'rule r: …' }]);
 * // PipelineError 'config: config/alerts.yaml:3: rules.0.actors.0: rule r: …'
 */
export function configProblemsError(
  text: string,
  fileName: string,
  problems: readonly [ConfigProblem, ...ConfigProblem[]],
): PipelineError {
  const lineCounter = new LineCounter();
  const doc = parseDocument(text, { lineCounter, prettyErrors: false });
  const lines = problems.map((p) => {
    const line = lineOf(doc, lineCounter, p.path);
    return {
      culprit: line === null ? fileName : `${fileName}:${line}`,
      detail: `${keyPathText(p.path)}${p.message}`,
    };
  });
  const [first, ...rest] = lines as [(typeof lines)[number], ...typeof lines];
  // One error, one complete line per problem, so the CLI and the logs show every one of them.
  const more = rest.map((l) => `\nconfig: ${l.culprit}: ${l.detail}`).join('');
  return configInvalid(first.culprit, `${first.detail}${more}`);
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
