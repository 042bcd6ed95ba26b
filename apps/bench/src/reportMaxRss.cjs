// Preloaded (`node --require`) by the cold-path bench into each process it measures: prints the
// process's peak RSS (KiB, from its own rusage) on stderr as it exits.
process.on('exit', () => {
  process.stderr.write(`egts-bench-max-rss-kib ${process.resourceUsage().maxRSS}\n`);
});
