/** `twinbed test --help`, after the options. */
export const TEST_HELP = `
Finds scenario files in the given files, folders (searched recursively) and globs (*, **, ?, [..], {a,b}; quote
them so the shell does not expand them), default scenarios/. In folders and globs, YAML without a top-level
twins: is not a scenario (targets, gateway configs) and a scenario with neither expect: nor thresholds: has
nothing to judge (a demo): both are left out with a note. A file named outright always runs.

Every file is loaded and checked first, also against the target it will run on; if any is invalid, all problems
are printed (file:line field: message) and nothing runs (exit 2). Then the tests run in worker processes, one
scenario at a time each, and reporters report in this process. Files are sorted by path; --shard i/n takes the
i-th of n contiguous slices of them (after --grep), so the n shards together run every scenario exactly once.

Reporters (--reporter a,b; several at once) and what they write under --output:
  list     one line per test (✓ passed, ✗ failed, ± flaky, ⏱ timed out, ! errored, - interrupted), with each
           failed expectation, what was observed against what was expected, and its file:line (default)
  dot      one character per test, then the failures
  json     results.json: every test, every attempt with its full run report; durations and logs under wall keys
  junit    junit.xml: a <testcase> per scenario (classname = file, name = title); a <failure> per failed expectation
  github   ::error annotations on the line of each failed expect: entry (::warning for flaky), for GitHub Actions
  blob     report[-i-of-n].blob.json: everything needed to report again; join shards with twinbed merge-reports
  html     index.html: one offline file with every scenario's timeline, features and latencies
  a path   a JavaScript module whose default export is a reporter class or object (onBegin, onTestEnd, onEnd…)
A reporter that throws is reported on stderr and the suite goes on without it.

Progress goes to stderr: a line rewritten every second on a terminal, one line every 10 s otherwise (CI logs);
never with --quiet.

Exit codes (when several apply, the first in this list wins):
  130  stopped by SIGINT/SIGTERM (reports are still written; a second signal quits at once)
  3    a test errored: twinbed failed to run it (a crash, a worker that died)
  4    a test timed out (--timeout)
  1    an expectation failed, or a test was flaky under --fail-on-flaky
  0    every test passed (flaky ones too, unless --fail-on-flaky)
  2    invalid input: a bad flag, or an invalid or unreadable scenario, target or reporter; nothing ran
Tests left interrupted by --max-failures do not change the code: the failures that stopped the suite give it.

Examples:
  twinbed test scenarios/library --reporter list,junit,html --output test-results
  twinbed test 'scenarios/**/bearing-*.yaml' --grep outer --retries 2 --timeout 300
  twinbed test scenarios/library --shard 2/4 --reporter blob --output blob-2   # then: twinbed merge-reports blob-*
`;

/** `twinbed merge-reports --help`, after the options. */
export const MERGE_HELP = `
Reads the *.blob.json files that \`twinbed test --reporter blob\` wrote (in the given folders, searched recursively,
or named outright), checks they are shards of one suite (no test twice, one shard count), and runs the reporters
on their union in suite order, as one unsharded run would have reported it. The scenario files are not read.

Exit codes: as twinbed test's, for the merged verdict (0 passed, 1 failed, 3 errored, 4 timed out, 130 a shard
was stopped by a signal); 2 when the blobs cannot be read or merged.
`;
