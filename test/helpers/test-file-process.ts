/** Whether this process runs a test file itself (node --test's child), not a process a test started (the CLI, a daemon). */
export const isTestFileProcess = /\.test\.[cm]?js$/.test(process.argv[1] ?? '')
