/**
 * Stateful adversarial fuzzing (issue 9) on the local real-bytecode market: actors and commands in commands.ts,
 * invariants (ids of docs/PROPERTIES.md) checked after every command in model.ts. `npm test` runs a short seeded
 * campaign; `npm run fuzz -- --runs N --seed S` runs longer ones (FUZZ_* variables below).
 */
import { expect } from "chai";
import { formatFailure, formatStats, runCampaign } from "./campaign";
import { outageCommand } from "./commands";
import { underCoverage } from "../shared/gas";

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
// Instrumented for coverage every call is several times slower: the coverage run fuzzes a tenth of the campaign.
const RUNS = env("FUZZ_RUNS", underCoverage() ? 4 : 40);
const COMMANDS = env("FUZZ_COMMANDS", 50);
const SEED = env("FUZZ_SEED", 20_250_909);
const OUTAGE_RUNS = env("FUZZ_OUTAGE_RUNS", underCoverage() ? 2 : 16);

describe("adversarial: stateful fuzzing with attacker actors (issue 9)", () => {
  it(`${RUNS} seeded runs of ${COMMANDS} commands: TRIGGER-1, EXIT-1, FAIR-1, ROLE-1, ACCT-1/2, KEEP-1, MAX-1, PREVIEW-1, ALLOW-1, ERR-1, STALE-1 after every command`, async function () {
    this.timeout(0);
    const result = await runCampaign({
      runs: RUNS,
      commands: COMMANDS,
      seed: SEED,
      shrink: process.env.FUZZ_SHRINK !== "0",
      shrinkBudgetMs: env("FUZZ_SHRINK_MS", 120_000),
      path: process.env.FUZZ_PATH || undefined,
      verbose: process.env.FUZZ_VERBOSE === "1",
    });
    console.log(formatStats(result.stats, result.ms).replace(/^/gm, "      "));
    if (result.failure) {
      console.log(formatFailure(result.failure));
      if (process.env.FUZZ_REPORT) require("node:fs").writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(result.failure, null, 2));
      expect.fail(result.failure.message);
    }
    if (process.env.FUZZ_REPORT) require("node:fs").writeFileSync(process.env.FUZZ_REPORT, JSON.stringify({ ok: true, commands: result.stats.commands }));
    expect(result.stats.commands).to.be.gte(RUNS * COMMANDS);
  });

  it(`outage campaign: ${OUTAGE_RUNS} seeded runs of ${COMMANDS} commands with oracle outages and a pool manipulator: OUTAGE-1 and every check above`, async function () {
    this.timeout(0);
    const result = await runCampaign({
      runs: OUTAGE_RUNS,
      commands: COMMANDS,
      seed: SEED + 19,
      shrink: process.env.FUZZ_SHRINK !== "0",
      shrinkBudgetMs: env("FUZZ_SHRINK_MS", 120_000),
      path: process.env.FUZZ_OUTAGE_PATH || undefined,
      verbose: process.env.FUZZ_VERBOSE === "1",
      commands_: outageCommand,
    });
    console.log(formatStats(result.stats, result.ms).replace(/^/gm, "      "));
    if (result.failure) {
      console.log(formatFailure(result.failure));
      expect.fail(result.failure.message);
    }
    expect(result.stats.checks["OUTAGE-1"] ?? 0).to.be.gt(0);
    expect(result.stats.succeeded.outageDelever ?? 0, "outage deleverages that went through").to.be.gt(0);
  });
});
