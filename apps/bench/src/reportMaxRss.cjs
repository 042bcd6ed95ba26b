// Preloaded (`node --require`) by the cold-path bench into each process it measures: prints the
// process's peak RSS (KiB) and the CPU time it used (µs, user + system), both from its own rusage,
// on stderr as it exits.
process.on('exit', () => {
  const usage = process.resourceUsage();
  process.stderr.write(
    `egts-bench-cpu-us ${usage.userCPUTime + usage.systemCPUTime}\negts-bench-max-rss-kib ${usage.maxRSS}\n`,
  );
});
