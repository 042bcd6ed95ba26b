// Field names a schema knows at a path, read from the zod schema itself. Used to read `Name` as
// `name` the way Envoy Gateway's Go decoding does (encoding/json matches names case-insensitively).
import type { z } from 'zod';

interface Def {
  type: string;
  shape?: Record<string, z.ZodType>;
  innerType?: z.ZodType;
  element?: z.ZodType;
  valueType?: z.ZodType;
  in?: z.ZodType;
}

interface Internals {
  def: Def;
  /** Set on z.lazy schemas: the schema it builds on first use (the generated spec and status). */
  innerType?: z.ZodType;
}

const internalsOf = (schema: z.ZodType): Internals =>
  (schema as unknown as { _zod: Internals })._zod;
const defOf = (schema: z.ZodType): Def => internalsOf(schema).def;

/** The schema that checks the value at `path`, or undefined when the path leaves the schema. */
function schemaAt(schema: z.ZodType, path: ReadonlyArray<string | number>): z.ZodType | undefined {
  let current: z.ZodType | undefined = schema;
  let i = 0;
  while (current) {
    const def = defOf(current);
    const inner: z.ZodType | undefined =
      def.type === 'lazy' ? internalsOf(current).innerType : (def.innerType ?? def.in);
    if (inner) {
      current = inner;
      continue;
    }
    if (i === path.length) return current;
    const step = path[i++]!;
    if (def.type === 'object') current = def.shape?.[String(step)];
    else if (def.type === 'array') current = def.element;
    else if (def.type === 'record') current = def.valueType;
    else return undefined;
  }
  return undefined;
}

/** The known field whose name equals `key` but for case, at `path` of `schema`. */
export function caseFoldedField(
  schema: z.ZodType,
  path: ReadonlyArray<string | number>,
  key: string,
): string | undefined {
  const target = schemaAt(schema, path);
  if (!target) return undefined;
  const def = defOf(target);
  if (def.type !== 'object' || !def.shape) return undefined;
  const lower = key.toLowerCase();
  return Object.keys(def.shape).find((name) => name !== key && name.toLowerCase() === lower);
}
