/**
 * YAML text → validated, frozen config. A problem becomes one line naming the file, the line and the
 * key path (`config/feeds.yaml:7: feeds.2.url: Invalid URL`), because that is what a person editing the
 * file needs to find it.
 */
import { LineCounter, parseDocument, isNode, type Document } from 'yaml';
import type { z } from 'zod';
import { configInvalid } from '../errors.ts';

function lineOf(doc: Document, lineCounter: LineCounter, path: readonly PropertyKey[]): number | null {
  // Walk up the path until a node with a source range exists (a missing key has no node of its own).
  for (let depth = path.length; depth >= 0; depth--) {
    const node = doc.getIn(path.slice(0, depth) as unknown[], true);
    if (isNode(node) && node.range) return lineCounter.linePos(node.range[0]).line;
  }
  return null;
}

function configError(fileName: string, line: number | null, detail: string) {
  return configInvalid(line === null ? fileName : `${fileName}:${line}`, detail);
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
  const result = schema.safeParse(doc.toJS());
  if (!result.success) {
    const issue = result.error.issues[0];
    const path = issue?.path ?? [];
    const keyPath = path.length > 0 ? `${path.map(String).join('.')}: ` : '';
    throw configError(fileName, lineOf(doc, lineCounter, path), `${keyPath}${issue?.message ?? 'invalid'}`);
  }
  return deepFreeze(result.data) as z.infer<S>;
}

function deepFreeze<T>(value: T): T {
  if (value && typeof value === 'object') {
    for (const inner of Object.values(value)) deepFreeze(inner);
    Object.freeze(value);
  }
  return value;
}
