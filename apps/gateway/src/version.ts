// The version egts reports, read from this package's manifest (one level up from src/ and dist/).
import { createRequire } from 'node:module';

const require = createRequire(import.meta.url);

export const VERSION: string = (require('../package.json') as { version: string }).version;
