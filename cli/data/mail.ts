// The two parts of a raw email that the CLI looks at: the header block and what follows it.

/** Where the header block ends: the first empty line (LF or CRLF). */
const HEADER_END = /\r?\n\r?\n/;

/**
 * The email after its header block, from the first line of the body on ('' when there is no
 * empty line, i.e. headers only).
 * @example bodyOf('Subject: hi\n\nHello')  // 'Hello'
 */
export function bodyOf(text: string): string {
  const match = HEADER_END.exec(text);
  return match ? text.slice(match.index + match[0].length) : '';
}

/**
 * The first Subject header, unfolded and trimmed ('' when it has none).
 * @example subjectOf('Subject: Hello\n  world\n\nbody')  // 'Hello world'
 */
export function subjectOf(text: string): string {
  const header = text.split(HEADER_END, 1)[0]!;
  const match = /^subject:[ \t]*(.*(?:\r?\n[ \t].*)*)/im.exec(header);
  return match ? match[1]!.replace(/\r?\n[ \t]+/g, ' ').trim() : '';
}
