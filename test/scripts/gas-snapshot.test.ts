/** The recorded gas figures (reports/gas-snapshot.json) are never replaced by a coverage run's instrumented gas. */
import { expect } from "chai";
import hre from "hardhat";
import { snapshotRefusal } from "../shared/gas";

describe("gas snapshot", () => {
  it("is not written under solidity-coverage (instrumented contracts)", () => {
    const env = hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean };
    env.__SOLIDITY_COVERAGE_RUNNING = true;
    try {
      expect(snapshotRefusal()).to.equal("coverage run: instrumented gas");
    } finally {
      delete env.__SOLIDITY_COVERAGE_RUNNING;
    }
  });
});
