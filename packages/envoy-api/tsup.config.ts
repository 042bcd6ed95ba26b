import { defineConfig } from 'tsup';
import { tsupOptions } from '../../tsup.shared.ts';

export default defineConfig(tsupOptions(['src/index.ts', 'src/services.ts']));
