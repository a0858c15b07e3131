/**
 * Stateful adversarial fuzzing (issue 9) on the local real-bytecode market, over every kind of vault (issues 17/20:
 * each preset on each venue it runs on, presetVenues()): actors and commands in commands.ts, invariants (ids of
 * docs/PROPERTIES.md) checked after every command in model.ts, the kind's units and venue in world.ts. `npm test` runs
 * a short seeded campaign per kind (the 3x WETH/USDC long on Aave, the original, the longest); `npm run fuzz --
 * --runs N --seed S [--preset P --venue V]` runs longer ones (FUZZ_* variables below).
 *
 * The presets that run on both venues (eth-long-3x, wsteth-loop; issue 20) fuzz a refinanceable vault (a VaultProxy
 * with its code on both venues) with the refinance command in the mix (REFI-1): after a move every per-venue read and
 * actor follows the vault's current venue, so every other invariant is checked on both venues of the same vault.
 */
import { expect } from "chai";
import { formatFailure, formatStats, runCampaign } from "./campaign";
import { outageCommand, refinanceCommand } from "./commands";
import { adversarialFixture, refinanceablePreset } from "./world";
import { presetVenues } from "../shared/presets";
import { underCoverage } from "../shared/gas";

const env = (name: string, fallback: number) => (process.env[name] ? Number(process.env[name]) : fallback);
// Instrumented for coverage every call is several times slower: the coverage run fuzzes a tenth of the campaign.
const COMMANDS = env("FUZZ_COMMANDS", 50);
const SEED = env("FUZZ_SEED", 20_250_909);
/** The original kind (3x WETH/USDC on Aave) runs the full campaign in `npm test`; the others a short one each. */
const MAIN_KIND = "eth-long-3x@aave";
/** `npm run fuzz -- --preset P --venue V` (FUZZ_PRESET, FUZZ_VENUE) runs only the kinds named; FUZZ_RUNS applies to each. */
const only = { preset: process.env.FUZZ_PRESET, venue: process.env.FUZZ_VENUE };
const selected = !!(only.preset || only.venue);
const kinds = presetVenues().filter(({ preset, venue }) => (!only.preset || preset.name === only.preset) && (!only.venue || venue === only.venue));

function runsOf(key: string) {
  const main = key === MAIN_KIND || selected || process.env.FUZZ_ALL === "1";
  return {
    main,
    runs: main ? env("FUZZ_RUNS", underCoverage() ? 4 : 40) : env("FUZZ_KIND_RUNS", underCoverage() ? 1 : 4),
    commands: main ? COMMANDS : env("FUZZ_KIND_COMMANDS", underCoverage() ? 10 : 25),
    outageRuns: main ? env("FUZZ_OUTAGE_RUNS", underCoverage() ? 2 : 16) : env("FUZZ_KIND_OUTAGE_RUNS", underCoverage() ? 0 : 2),
  };
}

describe("adversarial: stateful fuzzing with attacker actors (issue 9), on every kind", () => {
  if (kinds.length === 0) throw new Error(`no kind matches --preset ${only.preset} --venue ${only.venue}`);
  for (const { preset, venue } of kinds) {
    const key = `${preset.name}@${venue}`;
    const label = venue === "aave" ? preset.name : `${preset.name} on ${venue}`;
    const refinanceable = refinanceablePreset(preset);
    const world = adversarialFixture(preset.name, venue, { refinanceable });
    const kind = { preset: preset.name, venue };
    const { main, runs, commands, outageRuns } = runsOf(key);

    describe(`${label}${refinanceable ? " (refinanceable)" : ""}`, () => {
      it(`${runs} seeded runs of ${commands} commands: TRIGGER-1, EXIT-1, FAIR-1, ROLE-1, ACCT-1/2, KEEP-1, MAX-1, PREVIEW-1, ALLOW-1, ERR-1, STALE-1${refinanceable ? ", REFI-1" : ""} after every command`, async function () {
        this.timeout(0);
        const result = await runCampaign({
          runs,
          commands,
          seed: SEED,
          shrink: process.env.FUZZ_SHRINK !== "0",
          shrinkBudgetMs: env("FUZZ_SHRINK_MS", 120_000),
          path: process.env.FUZZ_PATH || undefined,
          verbose: process.env.FUZZ_VERBOSE === "1",
          commands_: refinanceable ? refinanceCommand : undefined,
          world,
          kind,
        });
        console.log(formatStats(result.stats, result.ms).replace(/^/gm, "      "));
        if (result.failure) {
          console.log(formatFailure(result.failure));
          if (process.env.FUZZ_REPORT) require("node:fs").writeFileSync(process.env.FUZZ_REPORT, JSON.stringify(result.failure, null, 2));
          expect.fail(`${label}: ${result.failure.message}`);
        }
        // (A success does not overwrite another kind's failure in the same report.)
        const fs = require("node:fs") as typeof import("node:fs");
        const report = process.env.FUZZ_REPORT;
        if (report && !(fs.existsSync(report) && JSON.parse(fs.readFileSync(report, "utf8")).ok !== true)) {
          fs.writeFileSync(report, JSON.stringify({ ok: true, commands: result.stats.commands }));
        }
        expect(result.stats.commands).to.be.gte(runs * commands);
        // The full campaign of a refinanceable kind (not a short `npm run fuzz`) must move the vault and check REFI-1.
        if (refinanceable && main && runs * commands >= 1_000) expect(Object.keys(result.stats.succeeded).some((k) => k.startsWith("refinance ")), "moves that went through").to.equal(true);
      });

      const outageIt = outageRuns > 0 ? it : it.skip;
      outageIt(`outage campaign: ${outageRuns} seeded runs of ${commands} commands with oracle outages and a pool manipulator: OUTAGE-1 and every check above`, async function () {
        this.timeout(0);
        const result = await runCampaign({
          runs: outageRuns,
          commands,
          seed: SEED + 19,
          shrink: process.env.FUZZ_SHRINK !== "0",
          shrinkBudgetMs: env("FUZZ_SHRINK_MS", 120_000),
          path: process.env.FUZZ_OUTAGE_PATH || undefined,
          verbose: process.env.FUZZ_VERBOSE === "1",
          commands_: outageCommand,
          world,
          kind,
        });
        console.log(formatStats(result.stats, result.ms).replace(/^/gm, "      "));
        if (result.failure) {
          console.log(formatFailure(result.failure));
          expect.fail(`${label}: ${result.failure.message}`);
        }
        expect(result.stats.checks["OUTAGE-1"] ?? 0).to.be.gt(0);
        // The short per-kind campaigns in `npm test` rarely reach an outage deleverage; the full ones must.
        if (main) expect(result.stats.succeeded.outageDelever ?? 0, "outage deleverages that went through").to.be.gt(0);
      });
    });
  }
});
