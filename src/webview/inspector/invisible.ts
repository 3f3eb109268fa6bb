/**
 * Characters that change how text reads without being seen: bidirectional controls (a `sub` with
 * U+202E RIGHT-TO-LEFT OVERRIDE rewrites the row it sits in), zero-width and other invisible
 * characters, and C0/C1 controls. The inspector shows each as a visible `[U+XXXX]` marker inside
 * a `<bdi>` per value, so a claim value can neither hide characters nor reorder its neighbours.
 * Pure: the page builds the DOM from these segments.
 */
const NAMES: Record<number, string> = {
  0x09: 'CHARACTER TABULATION',
  0x0a: 'LINE FEED',
  0x0d: 'CARRIAGE RETURN',
  0x00ad: 'SOFT HYPHEN',
  0x061c: 'ARABIC LETTER MARK',
  0x200b: 'ZERO WIDTH SPACE',
  0x200c: 'ZERO WIDTH NON-JOINER',
  0x200d: 'ZERO WIDTH JOINER',
  0x200e: 'LEFT-TO-RIGHT MARK',
  0x200f: 'RIGHT-TO-LEFT MARK',
  0x202a: 'LEFT-TO-RIGHT EMBEDDING',
  0x202b: 'RIGHT-TO-LEFT EMBEDDING',
  0x202c: 'POP DIRECTIONAL FORMATTING',
  0x202d: 'LEFT-TO-RIGHT OVERRIDE',
  0x202e: 'RIGHT-TO-LEFT OVERRIDE',
  0x2060: 'WORD JOINER',
  0x2066: 'LEFT-TO-RIGHT ISOLATE',
  0x2067: 'RIGHT-TO-LEFT ISOLATE',
  0x2068: 'FIRST STRONG ISOLATE',
  0x2069: 'POP DIRECTIONAL ISOLATE',
  0xfeff: 'ZERO WIDTH NO-BREAK SPACE',
};

const INVISIBLE =
  // eslint-disable-next-line no-control-regex, no-misleading-character-class -- matching control characters and lone combining marks one by one is the point of this class
  /[\u0000-\u001F\u007F-\u009F\u00AD\u034F\u061C\u115F\u1160\u17B4\u17B5\u180B-\u180F\u200B-\u200F\u2028-\u202E\u2060-\u206F\u3164\uFE00-\uFE0F\uFEFF\uFFA0\uFFF9-\uFFFB]/u;

export type Segment = { text: string } | { code: number; label: string };

/** `keepNewlines` leaves line feeds as they are (formatted JSON); everything else invisible is marked. */
export function visibleSegments(text: string, keepNewlines = false): Segment[] {
  const out: Segment[] = [];
  let run = '';
  for (const ch of text) {
    const code = ch.codePointAt(0) as number;
    if (INVISIBLE.test(ch) && !(keepNewlines && ch === '\n')) {
      if (run) out.push({ text: run });
      run = '';
      const hex = `U+${code.toString(16).toUpperCase().padStart(4, '0')}`;
      out.push({ code, label: NAMES[code] ? `${hex} ${NAMES[code]}` : hex });
    } else {
      run += ch;
    }
  }
  if (run) out.push({ text: run });
  return out;
}

export function markerText(code: number): string {
  return `[U+${code.toString(16).toUpperCase().padStart(4, '0')}]`;
}
