/**
 * Keeper scale: with KEEPER_VAULTS (default 1,000) vaults in the registry, the time and the JSON-RPC requests a
 * keeper needs to evaluate every trigger once, through KeeperLens pages (scripts/lib/keeper/keeper-scan.ts).
 * Targets: <= 1 s and <= 5 requests on the in-process network. Writes reports/keeper-scale.json.
 *
 *   npm run bench:keepers
 *
 * World (script./lib/bench/keeper-scale-world.ts): the local market; 1,000 vaults created through the factory (2x;
 * every 20th with a stop-loss at 1,900); every 10th vault receives a 1 WETH deposit (levered to 2x); then ETH/USD
 * moves to 1,850 (feed and pools), so exactly the funded vaults with a stop-loss (every 20th) have an active
 * trigger. Deployment is not timed as part of the scan, but is measured and reported.
 *
 * Measurements (script./lib/bench/keeper-scale-scans.ts): requests are counted on hre.network.provider
 * (scripts/lib/util/rpc-counter.ts): every JSON-RPC request that reaches the node while a scan runs, whatever its
 * method, not only eth_call. Report: script./lib/bench/keeper-scale-report.ts.
 */
import os from "node:os";
import path from "node:path";
import hre from "hardhat";
import { buildWorld } from "./lib/bench/keeper-scale-world";
import {
  measureNaiveScan,
  measureScans,
  naiveMatchesScan,
  pageGas,
  runsFoundExpected,
  sizePages,
} from "./lib/bench/keeper-scale-scans";
import { buildReport, printReport, writeReport, type KeeperScaleResults } from "./lib/bench/keeper-scale-report";

const RECORDED_VAULTS = 1000;
const VAULTS = Number(process.env.KEEPER_VAULTS ?? RECORDED_VAULTS);
// Only the recorded scale replaces the tracked figures; a smaller trial run writes beside the OS's temp files.
const OUT =
  VAULTS === RECORDED_VAULTS
    ? path.join(__dirname, "..", "reports", "keeper-scale.json")
    : path.join(os.tmpdir(), `keeper-scale-${VAULTS}.json`);

/** Setup, the lens scans, the naive scan as ground truth, the gas of the pages used; then the report. */
async function main() {
  const world = await buildWorld(hre, VAULTS);
  const sizing = await sizePages(hre, world);
  const scans = await measureScans(hre, world, sizing.batchSize);
  const triggersMatchExpected = runsFoundExpected(scans.runs, world.expected);
  const naive = await measureNaiveScan(hre, world.fleet);
  const triggersMatchPerVaultCalls = naiveMatchesScan(naive, world.vaults, scans.runs[0].found);
  const gasPerCall = await pageGas(hre, world, sizing.batchSize);

  const results: KeeperScaleResults = {
    world, sizing, scans, naive, gasPerCall, triggersMatchExpected, triggersMatchPerVaultCalls,
  };
  const report = buildReport(hre, results);
  writeReport(OUT, report);
  printReport(report, results);
  console.log(`\nWritten to ${path.relative(process.cwd(), OUT)}`);
  if (!triggersMatchExpected || !triggersMatchPerVaultCalls) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
