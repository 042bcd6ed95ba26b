// Generates src/generated/ (ts-proto types, codecs and the grpc-js service definition) from
// proto/egts/configserver/v1/config_server.proto with the repo's buf + ts-proto setup.
// `node scripts/generate.mjs` rewrites src/generated; `--check` regenerates into a temp dir and
// fails when the committed output differs (run by `build`, so CI catches a stale checkout).
import { execFileSync } from 'node:child_process';
import {
  cpSync,
  existsSync,
  mkdtempSync,
  readdirSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { tmpdir } from 'node:os';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';

const pkgDir = resolve(dirname(fileURLToPath(import.meta.url)), '..');
const protoDir = resolve(pkgDir, '../../proto');
const outDir = join(pkgDir, 'src/generated');
const target = 'egts/configserver/v1/config_server.proto';
const check = process.argv.includes('--check');

const tmp = mkdtempSync(join(tmpdir(), 'egts-config-server-proto-'));
try {
  const root = join(tmp, 'protos');
  cpSync(join(protoDir, target), join(root, target));
  writeFileSync(join(root, 'buf.yaml'), 'version: v2\n');
  const genDir = join(tmp, 'out');
  const bin = join(pkgDir, 'node_modules/.bin');
  execFileSync(
    join(bin, 'buf'),
    [
      'generate',
      '.',
      '--template',
      join(protoDir, 'config-server.buf.gen.yaml'),
      '-o',
      genDir,
      '--path',
      target,
    ],
    { cwd: root, stdio: 'inherit', env: { ...process.env, PATH: `${bin}:${process.env.PATH}` } },
  );
  if (check) {
    const diff = compareTrees(genDir, outDir);
    if (diff.length > 0) {
      console.error(`src/generated is stale (${diff.join(', ')}).`);
      console.error('Run `pnpm --filter @egts/provider-config-server generate` and commit it.');
      process.exit(1);
    }
    console.log('src/generated is up to date');
  } else {
    rmSync(outDir, { recursive: true, force: true });
    cpSync(genDir, outDir, { recursive: true });
    console.log(`generated ${listFiles(outDir).join(', ')}`);
  }
} finally {
  rmSync(tmp, { recursive: true, force: true });
}

function listFiles(dir, base = dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? listFiles(path, base) : [relative(base, path)];
  });
}

function compareTrees(a, b) {
  const filesA = new Set(listFiles(a));
  const filesB = new Set(listFiles(b));
  const differ = [...filesA].filter(
    (f) => !filesB.has(f) || !readFileSync(join(a, f)).equals(readFileSync(join(b, f))),
  );
  return [...differ, ...[...filesB].filter((f) => !filesA.has(f))];
}
