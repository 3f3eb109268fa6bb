/** Finding the JWT under the cursor on one line, in bounded time. Pure of `vscode`. */
import { decodeJwt } from '../core/jwt';

/** How far either side of the cursor a token may reach (a JWT longer than this is not shown). */
export const MAX_SCAN = 16_384;
const SEGMENT = /[A-Za-z0-9_-]/;

/** The JWT-looking run of characters around `offset` in `text`, with its start; undefined when none. */
export function jwtAt(text: string, offset: number): { token: string; start: number } | undefined {
  const isChar = (c: string | undefined) => c !== undefined && (SEGMENT.test(c) || c === '.');
  let start = offset;
  let end = offset;
  const low = Math.max(0, offset - MAX_SCAN);
  const high = Math.min(text.length, offset + MAX_SCAN);
  while (start > low && isChar(text[start - 1])) start--;
  while (end < high && isChar(text[end])) end++;
  if ((start === low && low > 0) || (end === high && high < text.length)) return undefined;
  const token = text.slice(start, end).replace(/^\.+|\.+$/g, '');
  const parts = token.split('.');
  if (parts.length !== 3 || parts[0].length < 4 || parts[1].length < 4) return undefined;
  try {
    const { header } = decodeJwt(token);
    if (typeof header.alg !== 'string') return undefined;
  } catch {
    return undefined;
  }
  return { token, start: start + text.slice(start, end).indexOf(token) };
}
