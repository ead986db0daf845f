/**
 * Loaded before every test file (vitest.config.mts setupFiles): a deprecation warning fails the run
 * instead of scrolling by. pg, for one, warns when a client is given a query while it runs
 * another, which pg 9 will refuse. Processes the tests start get --throw-deprecation
 * (test/helpers/processes.ts), so the same holds there.
 */
process.on('warning', (warning) => {
  if (warning.name === 'DeprecationWarning') throw warning;
});
