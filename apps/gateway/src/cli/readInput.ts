// Reads what `-f PATH|-` names: a file or directory through the api loader, or `-` for stdin.
import {
  type DecodeOptions,
  type LoadResult,
  loadResourcesFromPath,
  loadResourcesFromText,
} from '@egts/api';

export async function readStdin(): Promise<string> {
  const chunks: Buffer[] = [];
  for await (const chunk of process.stdin) chunks.push(chunk as Buffer);
  return Buffer.concat(chunks).toString('utf8');
}

/** Loads resources from a path, or from stdin when the path is `-`. */
export async function loadInput(path: string, options: DecodeOptions = {}): Promise<LoadResult> {
  if (path === '-') return loadResourcesFromText(await readStdin(), '<stdin>', options);
  return loadResourcesFromPath(path, options);
}
