/**
 * Page bytes → text. The charset comes from the HTTP header, else a `<meta charset>` (or http-equiv)
 * within the first 1024 bytes as the HTML standard's prescan does, else UTF-8. Unknown labels fall
 * back to UTF-8; bad bytes become U+FFFD and never throw.
 */
const PRESCAN_BYTES = 1024; // the HTML standard's encoding prescan window

function charsetFromContentType(contentType: string | undefined): string | null {
  const match = /charset\s*=\s*"?([\w.:-]+)/i.exec(contentType ?? '');
  return match?.[1] ?? null;
}

function charsetFromMeta(head: string): string | null {
  const match = /<meta[^>]+charset\s*=\s*["']?\s*([\w.:-]+)/i.exec(head);
  return match?.[1] ?? null;
}

function decoderFor(label: string): TextDecoder | null {
  try {
    return new TextDecoder(label);
  } catch {
    return null;
  }
}

/**
 * @example
 * decodePage(bytes, 'text/html; charset=windows-1252');
 */
export function decodePage(bytes: Uint8Array, contentType?: string): string {
  const head = new TextDecoder('latin1').decode(bytes.subarray(0, PRESCAN_BYTES));
  const label = charsetFromContentType(contentType) ?? charsetFromMeta(head) ?? 'utf-8';
  const decoder = decoderFor(label) ?? new TextDecoder('utf-8');
  return decoder.decode(bytes);
}
