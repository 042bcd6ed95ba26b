// Request bodies as the loader reads them: YAML (one or many documents, or a List) and JSON are
// read as they are; a JSON array and newline-delimited JSON (a stream of objects) become a List.

const isJsonLines = (contentType: string | undefined): boolean =>
  /^application\/(x-)?(ndjson|jsonl)\b/i.test(contentType ?? '');

/** The body as YAML/JSON text `parseResourceFile` reads, one document per resource. */
export function manifestText(body: string, contentType?: string): string {
  if (isJsonLines(contentType)) {
    // One JSON object per line: each is a YAML document of its own (JSON is YAML).
    return body
      .split('\n')
      .map((line) => line.trim())
      .filter((line) => line !== '')
      .join('\n---\n');
  }
  const trimmed = body.trimStart();
  if (trimmed.startsWith('[')) {
    try {
      const items: unknown = JSON.parse(trimmed);
      if (Array.isArray(items)) return JSON.stringify({ apiVersion: 'v1', kind: 'List', items });
    } catch {
      // Not JSON after all: the YAML parser reports what is wrong with it.
    }
  }
  return body;
}
