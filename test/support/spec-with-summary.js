// Mocha's spec reporter, closed by the plain line CI tools read: "N passed, N failed" (skipped tests are listed by the
// spec reporter above it). With TEST_RUN_REPORT=1 (`npm run reports:test-run`, a whole run) a run without failures
// also writes reports/test-run.json, which the README's test figures are rendered from (`npm run docs`).
"use strict";
const fs = require("node:fs");
const path = require("node:path");
const { execFileSync } = require("node:child_process");
const Spec = require("mocha/lib/reporters/spec");
const { EVENT_RUN_END } = require("mocha/lib/runner").constants;

const REPORT = path.join(__dirname, "..", "..", "reports", "test-run.json");

/** The commit the run tested, marked "+changes" when tracked files differ from it (the report itself aside). */
function testedCommit() {
  const git = (...args) => execFileSync("git", args, { cwd: path.dirname(REPORT), encoding: "utf8" }).trim();
  const changed = git("status", "--porcelain", "--untracked-files=no")
    .split("\n")
    .filter((line) => line && !line.endsWith("reports/test-run.json"));
  return `${git("rev-parse", "--short", "HEAD")}${changed.length ? "+changes" : ""}`;
}

class SpecWithSummary extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending, duration } = this.stats;
      if (process.env.TEST_RUN_REPORT === "1") {
        if (failures === 0) {
          const report = { passes, pending, failures, seconds: Math.round(duration / 1000), commit: testedCommit() };
          fs.writeFileSync(REPORT, `${JSON.stringify(report, null, 2)}\n`);
          process.stdout.write(`wrote ${path.relative(process.cwd(), REPORT)}\n`);
        } else {
          process.stdout.write("reports/test-run.json not written: the run has failures\n");
        }
      }
      process.stdout.write(`${passes} passed, ${failures} failed\n`);
    });
  }
}

module.exports = SpecWithSummary;
