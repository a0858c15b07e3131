/**
 * Gas benchmark: each main vault operation against its protocol floor, measured on the same market state, for every
 * preset (scripts/lib/deploy/presets.ts) on every venue it runs on (Aave V3; Morpho Blue for eth-long-3x and
 * wsteth-loop). For every operation the chain is snapshotted, the vault runs it, the chain is reverted, and a floor
 * probe holding the same position makes only the bare protocol calls the operation cannot avoid: GasFloorProbe on
 * Aave, MorphoGasFloorProbe on Morpho (scripts/lib/bench/gas.ts). For the kinds on both venues, `refinance` moves the
 * position to the other venue against RefinanceFloorProbe (scripts/lib/bench/refinance.ts). The same probe call
 * is run a third time through the probe's `guarded` entry point, which adds the guards the mission mandates for the
 * operation (contracts/test/GuardReads.sol): the guarded floor, what any vault doing those guards pays at least.
 * Writes reports/gas.json as {"operations": {...Aave eth-long-3x...}, "presets": {"<preset>": {"<name>": {"gas": N,
 * "floor": M, "guardedFloor": G}}} (Aave), "morpho": {"<preset>": {...the same operations on Morpho Blue...}},
 * "fees": {...}} and prints gas / floor / guarded floor and the vault's ratio to each per (preset, venue). "fees"
 * (Aave eth-long-3x): the gas of a fee accrual alone and of a deposit and a keeper deleverage with fees / keeper pay
 * on next to the same operations with them off (issue 21), on the same state.
 *
 *   npm run bench:gas                                          every (preset, venue) pair
 *   npm run bench:gas -- --preset wsteth-loop                  one preset on each of its venues
 *   npm run bench:gas -- --venue morpho                        every preset that runs on Morpho
 *   npm run bench:gas -- --preset eth-long-3x --venue morpho   one pair
 * reports/gas.json is written only when every pair ran.
 */
import fs from "node:fs";
import path from "node:path";
import hre from "hardhat";
import { deployMarket } from "./lib/market/market";
import { PresetError, type Venue } from "./lib/deploy/presets";
import { benchPreset, benchSelection, isFullSelection, type FeeFigures, type Operations } from "./lib/bench/gas";
import { benchRefinance } from "./lib/bench/refinance";

const { ethers } = hre;
const OUT = path.join(__dirname, "..", "reports", "gas.json");

async function main() {
  const selection = benchSelection(process.argv.slice(2));
  await hre.run("compile", { quiet: true }); // a no-op under `hardhat run`; needed when started by ts-node
  const results: Record<Venue, Record<string, Operations>> = { aave: {}, morpho: {} };
  let fees: FeeFigures | undefined;
  for (const { preset, venue } of selection) {
    const market = await deployMarket(ethers);
    const bench = await benchPreset(ethers, market, preset, venue);
    // The kinds on both venues: moving the same position to the other venue (issue 20), on a fresh market.
    if (Object.keys(preset.venues).length > 1) bench.operations.refinance = await benchRefinance(ethers, await deployMarket(ethers), preset, venue);
    results[venue][preset.name] = bench.operations;
    fees ??= bench.fees;
    console.log(`\n${preset.name} on ${venue}: gas / floor / guarded floor`);
    const ratio = (a: number, b: number) => Number((a / b).toFixed(3));
    console.table(
      Object.fromEntries(
        Object.entries(bench.operations).map(([name, { gas, floor, guardedFloor }]) => [
          name,
          { gas, floor, guardedFloor, "gas/floor": ratio(gas, floor), "gas/guarded": ratio(gas, guardedFloor), "guarded/floor": ratio(guardedFloor, floor) },
        ]),
      ),
    );
  }
  // Only complete, uninstrumented figures of every (preset, venue) replace the recorded ones.
  if ((hre as unknown as { __SOLIDITY_COVERAGE_RUNNING?: boolean }).__SOLIDITY_COVERAGE_RUNNING || process.env.SOLIDITY_COVERAGE) {
    console.log(`coverage run (instrumented contracts): ${path.relative(process.cwd(), OUT)} not written`);
    return;
  }
  if (!isFullSelection(selection)) {
    console.log(`a selection: ${path.relative(process.cwd(), OUT)} not written (it holds every preset on every venue)`);
    return;
  }
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  const report = { operations: results.aave["eth-long-3x"], presets: results.aave, morpho: results.morpho, fees };
  fs.writeFileSync(OUT, JSON.stringify(report, null, 2) + "\n");
  console.log("\nfees and keeper pay (eth-long-3x on Aave), gas:");
  console.table(fees);
  console.log(`written ${path.relative(process.cwd(), OUT)}`);
}

main().catch((error) => {
  if (error instanceof PresetError) {
    console.error(`bench:gas: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
