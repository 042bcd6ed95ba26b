// A long-running egts keeps V8's young generation at its starting size. V8 grows it (up to 32 MiB
// on 64-bit) whenever a burst of allocation survives scavenges, such as the translation at start,
// and never gives it back, even empty after a full collection: a server serving 100 routes held
// ~25 MiB of RSS in an empty young generation (bench: 126 -> 108 MiB at 100 routes, 143 -> 120
// at 1,000; egts CPU to a 5,000-route cold start and restart within the noise, about +2%). The CLI's
// one-shot commands keep V8's default: there the bigger young generation saves CPU, and they exit.
import { setFlagsFromString } from 'node:v8';

/** What stops the young generation growing: V8 reads its growth factor each time it would grow. */
export const YOUNG_GENERATION_FLAGS = '--semi-space-growth-factor=1';

/** Call first thing in a server process, before modules and resources are loaded. */
export const keepYoungGenerationSmall = (): void => setFlagsFromString(YOUNG_GENERATION_FLAGS);
