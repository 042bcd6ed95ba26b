// `node scripts/envoyProto.mjs <proto file> [envoy binary]`: prints an Envoy API file as the Envoy
// this project runs defines it, read from the FileDescriptorProto embedded in its binary (the
// source of proto/envoy-overrides, see its README): messages, enums, oneofs and fields with their
// numbers, and services; options (validation rules, annotations) and comments left out.
import { readFileSync } from 'node:fs';
import { fromBinary } from '@bufbuild/protobuf';
import { FileDescriptorProtoSchema } from '@bufbuild/protobuf/wkt';

const [file, binaryPath = process.env.ENVOY_PATH] = process.argv.slice(2);
if (!file || !binaryPath) throw new Error('usage: envoyProto.mjs <proto file> <envoy binary>');
const binary = readFileSync(binaryPath);
const name = Buffer.from(file);

/**
 * The descriptor: field 1 (its name) starts it. A prefix cut at a field boundary decodes too, so
 * the longest slice that decodes without unknown fields is the whole descriptor (the bytes after
 * it stop decoding as one).
 */
function findDescriptor() {
  for (let at = binary.indexOf(name); at !== -1; at = binary.indexOf(name, at + 1)) {
    if (binary[at - 1] !== name.length || binary[at - 2] !== 0x0a) continue;
    let best;
    let failures = 0;
    for (let size = name.length + 2; size < 400_000 && failures < 20_000; size += 1) {
      try {
        const fd = fromBinary(FileDescriptorProtoSchema, binary.subarray(at - 2, at - 2 + size));
        if (fd.name !== file || fd.$unknown?.length) throw new Error('not it');
        best = fd;
        failures = 0;
      } catch {
        failures += 1;
      }
    }
    if (best) return best;
  }
  throw new Error(`${file}: no descriptor in ${binaryPath}`);
}

const TYPES = {
  1: 'double',
  2: 'float',
  3: 'int64',
  4: 'uint64',
  5: 'int32',
  6: 'fixed64',
  7: 'fixed32',
  8: 'bool',
  9: 'string',
  12: 'bytes',
  13: 'uint32',
  15: 'sfixed32',
  16: 'sfixed64',
  17: 'sint32',
  18: 'sint64',
};

const fd = findDescriptor();
const pkg = `.${fd.package}.`;
const typeName = (t) => (t.startsWith(pkg) ? t.slice(pkg.length) : t);
const used = new Set();
const lines = [];
const out = (depth, text) => lines.push(`${'  '.repeat(depth)}${text}`);

function printEnum(e, depth) {
  out(depth, `enum ${e.name} {`);
  for (const v of e.value) out(depth + 1, `${v.name} = ${v.number};`);
  out(depth, '}');
}

function fieldType(f, msg) {
  if (f.typeName) {
    const nested = msg.nestedType.find(
      (n) => `.${n.name}` === f.typeName.slice(f.typeName.lastIndexOf('.')),
    );
    if (nested?.options?.mapEntry && f.typeName.endsWith(`.${msg.name}.${nested.name}`)) {
      const [k, v] = nested.field;
      return `map<${fieldType(k, nested)}, ${fieldType(v, nested)}>`;
    }
    used.add(f.typeName);
    return typeName(f.typeName);
  }
  return TYPES[f.type];
}

function printMessage(msg, depth) {
  out(depth, `message ${msg.name} {`);
  for (const e of msg.enumType) printEnum(e, depth + 1);
  for (const n of msg.nestedType) if (!n.options?.mapEntry) printMessage(n, depth + 1);
  const field = (f, d) => {
    const type = fieldType(f, msg);
    const label =
      f.label === 3 && !type.startsWith('map<') ? 'repeated ' : f.proto3Optional ? 'optional ' : '';
    out(d, `${label}${type} ${f.name} = ${f.number};`);
  };
  const oneofs = msg.oneofDecl.map(() => []);
  for (const f of msg.field) {
    if (inOneof(f)) oneofs[f.oneofIndex].push(f);
    else field(f, depth + 1);
  }
  msg.oneofDecl.forEach((o, i) => {
    if (oneofs[i].length === 0) return;
    out(depth + 1, `oneof ${o.name} {`);
    for (const f of oneofs[i]) field(f, depth + 2);
    out(depth + 1, '}');
  });
  out(depth, '}');
}

/** A field in a real oneof (proto3 `optional` fields sit in synthetic ones). */
const inOneof = (f) => Object.hasOwn(f, 'oneofIndex') && !f.proto3Optional;

const body = [];
for (const e of fd.enumType) printEnum(e, 0), lines.push('');
for (const m of fd.messageType) printMessage(m, 0), lines.push('');
// Services (the OTLP collectors' Export calls): unary or streaming methods by their types.
for (const svc of fd.service) {
  out(0, `service ${svc.name} {`);
  for (const m of svc.method)
    out(
      1,
      `rpc ${m.name}(${m.clientStreaming ? 'stream ' : ''}${typeName(m.inputType)}) returns (${m.serverStreaming ? 'stream ' : ''}${typeName(m.outputType)}) {}`,
    );
  out(0, '}');
  lines.push('');
}
body.push(...lines);
// Files of options only (annotations, validation rules) are left out with the options.
const imports = fd.dependency.filter(
  (dep) => !/^(udpa|xds)\/annotations\/|^envoy\/annotations\/|^validate\//.test(dep),
);
console.log(`// ${file.split('/').slice(-1)[0].replace('.proto', '')} as of the Envoy this project runs (see the README of proto/envoy-overrides).
syntax = "proto3";

package ${fd.package};

${imports.map((d) => `import "${d}";`).join('\n')}

${body.join('\n').trimEnd()}`);
