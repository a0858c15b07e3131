// Mocha's spec reporter, closed by the plain line CI tools read: "tests: N passed, N failed, N skipped".
"use strict";
const Spec = require("mocha/lib/reporters/spec");
const { EVENT_RUN_END } = require("mocha/lib/runner").constants;

class SpecWithSummary extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures, pending } = this.stats;
      process.stdout.write(`tests: ${passes} passed, ${failures} failed, ${pending} skipped\n`);
    });
  }
}

module.exports = SpecWithSummary;
