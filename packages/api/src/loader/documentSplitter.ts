// Cuts YAML text into pieces of whole documents, as it arrives: a file is decoded document by
// document while it is read, never held whole. Each piece parses as it would in the whole text.

/** A stretch of text holding whole documents, with the line (1-based) it starts on. */
export interface TextPiece {
  text: string;
  firstLine: number;
}

/** A document start marker: `---` at the start of a line, then a blank or the end. */
const MARKER = /^---(?=[ \t\r\n]|$)/gm;
/** A directive (`%YAML`, `%TAG`) at the start of a line. */
const DIRECTIVE = /^%/gm;

const countLines = (text: string): number => {
  let lines = 0;
  for (let at = text.indexOf('\n'); at !== -1; at = text.indexOf('\n', at + 1)) lines++;
  return lines;
};

/**
 * Cuts text given chunk by chunk before every document start marker (`---` at the start of a
 * line). YAML 1.2 forbids that marker inside a document's content (c-forbidden), block scalars
 * included, so each piece parses as it would in the whole. Text with a directive (`%YAML`,
 * `%TAG`) is not cut (the directive belongs to the document after it): `directives` turns true
 * and no piece is given from then on, the caller reads that text whole (`splitDocuments`).
 * A marker is found whatever the chunks' boundaries: the last few characters of a chunk are
 * looked at again with the next.
 */
export class DocumentSplitter {
  /** Text of the current piece not yet given, as it arrived. */
  #pending: string[] = [];
  /** Where (in the whole text) `#pending` starts, which is where the current piece starts. */
  #pieceStart = 0;
  #firstLine = 1;
  /** Length of the whole text so far. */
  #length = 0;
  /** Its last characters: a marker may start in them and end in the next chunk. */
  #tail = '';
  #directives = false;

  /** Whether the text holds a directive: it must then be read whole. */
  get directives(): boolean {
    return this.#directives;
  }

  /** Takes the next chunk; returns the pieces it completes. */
  push(chunk: string): TextPiece[] {
    return this.#take(chunk, false);
  }

  /** The text ended: returns the last piece (none when the text has directives). */
  end(): TextPiece[] {
    return this.#take('', true);
  }

  #take(chunk: string, last: boolean): TextPiece[] {
    if (this.#directives) return [];
    const window = this.#tail + chunk;
    /** Where `window` starts in the whole text. */
    const offset = this.#length - this.#tail.length;
    // A directive starts on a line of this chunk (the character before it is in the tail).
    DIRECTIVE.lastIndex = this.#tail.length;
    // Most text holds no `%` at all: one indexOf instead of a regex over every line.
    if (chunk.includes('%') && DIRECTIVE.test(window)) {
      this.#directives = true;
      this.#pending = [];
      return [];
    }
    const cuts: number[] = [];
    // A marker needs the character after it (or the end): one cut off at the end of this chunk
    // is found again with the next, from the tail. The tail's first character is context only.
    MARKER.lastIndex = Math.max(0, this.#tail.length - 3);
    for (let match = MARKER.exec(window); match !== null; match = MARKER.exec(window)) {
      if (!last && match.index + 3 >= window.length) break;
      const at = offset + match.index;
      if (at !== this.#pieceStart && at !== cuts[cuts.length - 1]) cuts.push(at);
    }
    this.#length += chunk.length;
    this.#tail = window.slice(-4);
    if (cuts.length === 0 && !last) {
      if (chunk !== '') this.#pending.push(chunk);
      return [];
    }
    // The text since the piece began, joined once for every piece this chunk completes.
    const text = this.#pending.join('') + chunk;
    const pieces: TextPiece[] = [];
    let start = 0;
    for (const cut of cuts) {
      const piece = text.slice(start, cut - this.#pieceStart);
      pieces.push({ text: piece, firstLine: this.#firstLine });
      this.#firstLine += countLines(piece);
      start = cut - this.#pieceStart;
    }
    this.#pieceStart += start;
    const rest = text.slice(start);
    this.#pending = rest === '' ? [] : [rest];
    // The last piece, even empty (an empty text is one empty document).
    if (last) pieces.push({ text: rest, firstLine: this.#firstLine });
    return pieces;
  }
}

/**
 * The text cut before every document start marker, with the line each piece starts on (see
 * DocumentSplitter). The whole text, for text with directives (`%YAML`, `%TAG`).
 */
export function splitDocuments(text: string): TextPiece[] {
  const splitter = new DocumentSplitter();
  const pieces = [...splitter.push(text), ...splitter.end()];
  return splitter.directives ? [{ text, firstLine: 1 }] : pieces;
}
