// Mocha's spec reporter, closed by the plain line CI tools read: "N passed, N failed" (skipped tests are listed by the spec reporter above it).
"use strict";
const Spec = require("mocha/lib/reporters/spec");
const { EVENT_RUN_END } = require("mocha/lib/runner").constants;

class SpecWithSummary extends Spec {
  constructor(runner, options) {
    super(runner, options);
    runner.once(EVENT_RUN_END, () => {
      const { passes, failures } = this.stats;
      process.stdout.write(`${passes} passed, ${failures} failed\n`);
    });
  }
}

module.exports = SpecWithSummary;
