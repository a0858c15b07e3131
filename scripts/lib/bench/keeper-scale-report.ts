/**
 * The keeper-scale benchmark's report (scripts/bench-keepers.ts): the JSON written to reports/keeper-scale.json and
 * the summary table printed to the console.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { actionName, gas, table } from "../util/format";
import { TX_GAS_CAP } from "../keeper/keeper-scan";
import type { NaiveMeasurement, PageSizing, ScanMeasurement, ScanRun } from "./keeper-scale-scans";
import { SCENARIO, type World } from "./keeper-scale-world";

export const TARGETS = { timeMs: 1000, rpcCalls: 5 };

/** Everything the benchmark measured, as the report is built from it. */
export interface KeeperScaleResults {
  world: World;
  sizing: PageSizing;
  scans: ScanMeasurement;
  naive: NaiveMeasurement;
  gasPerCall: bigint[];
  triggersMatchExpected: boolean;
  triggersMatchPerVaultCalls: boolean;
}

export type KeeperScaleReport = ReturnType<typeof buildReport>;

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};
const round = (x: number) => Math.round(x * 10) / 10;

/** The report object, in the field order reports/keeper-scale.json has always had. */
export function buildReport(hre: HardhatRuntimeEnvironment, results: KeeperScaleResults) {
  return {
    ...scanFigures(results),
    ...gasFigures(results),
    ...triggerFigures(results),
    ...runContext(hre, results),
  };
}

/** Wall times of the RUNS scans after the first (ms, 0.1 precision). */
const warmTimesMs = (runs: ScanRun[]) => runs.slice(1).map((r) => round(r.ms));

/** Requests, wall time and CPU time of the lens scans. */
function scanFigures({ world, scans }: KeeperScaleResults) {
  const [first, ...warm] = scans.runs;
  const timesMs = warmTimesMs(scans.runs);
  const cpuMs = warm.map((r) => round(r.cpuMs));
  return {
    vaults: world.vaults.length,
    rpcCalls: first.requests,
    rpcCallsByMethod: first.byMethod,
    rpcCallsPerRun: scans.runs.map((r) => r.requests),
    rpcCallsCountedBy:
      "every JSON-RPC request reaching hre.network.provider (request/send/sendAsync wrapped) during a scan, any method",
    ethCallsIssuedByScanner: first.calls,
    timeMs: { median: median(timesMs), first: round(first.ms), runs: timesMs },
    // CPU time of this process (JS + the in-process EVM) during each scan: less sensitive to other load on the host.
    cpuTimeMs: {
      median: median(cpuMs),
      first: round(first.cpuMs),
      runs: cpuMs,
      // of which in the kernel (page faults for the EVM trace memory, mostly)
      systemFirst: round(first.sysMs),
      systemRuns: warm.map((r) => round(r.sysMs)),
    },
  };
}

/** Page size and gas: per vault from the calibration, per call from the pages used. */
function gasFigures({ world, sizing, scans, gasPerCall }: KeeperScaleResults) {
  return {
    batchSize: sizing.batchSize,
    vaultsPerCall: Math.round((world.vaults.length / scans.runs[0].calls) * 10) / 10,
    gasPerVault: Number(sizing.gasPerVaultMean),
    gasPerVaultMaxPage: Number(sizing.gasPerVaultMax),
    gasPerScanFixed: Number(sizing.fixedGas),
    gasPerCall: gasPerCall.map(Number),
    gasCapPerCall: Number(TX_GAS_CAP),
    triggerGasLimit: Number(sizing.triggerGasLimit),
  };
}

/** Triggers found against the scenario and the naive scan, and the targets. */
function triggerFigures(results: KeeperScaleResults) {
  const { world, scans, naive } = results;
  const first = scans.runs[0];
  return {
    triggersFound: first.found.length,
    expectedTriggers: world.expected.length,
    triggersMatchExpected: results.triggersMatchExpected,
    triggersMatchPerVaultCalls: results.triggersMatchPerVaultCalls,
    failedVaults: first.failed,
    naivePerVault: { rpcCalls: naive.requests, rpcCallsByMethod: naive.byMethod, timeMs: naive.ms },
    targets: {
      ...TARGETS,
      timeMet: median(warmTimesMs(scans.runs)) <= TARGETS.timeMs && first.ms <= TARGETS.timeMs,
      rpcCallsMet: scans.runs.every((r) => r.requests <= TARGETS.rpcCalls),
    },
  };
}

/** Deployment timings, the scenario, and the software and host the figures come from. */
function runContext(hre: HardhatRuntimeEnvironment, { world, scans }: KeeperScaleResults) {
  const { marketMs, vaultsMs, depositsMs } = world.timings;
  return {
    deployment: {
      marketAndStackMs: marketMs,
      vaultsMs,
      perVaultMs: Math.round((vaultsMs / world.vaults.length) * 10) / 10,
      depositsMs,
      fundedVaults: world.funded.length,
    },
    scenario: `2x vaults, every ${SCENARIO.fundedEvery}th funded with 1 WETH, every ${SCENARIO.stopEvery}th with a stop-loss at ${SCENARIO.stopPrice}; ETH/USD ${SCENARIO.crashPrice}`,
    blockNumber: scans.blockNumber,
    network: "hardhat in-process",
    hardfork: hre.config.networks.hardhat.hardfork,
    hardhat: (require("hardhat/package.json") as { version: string }).version,
    node: process.version,
    host: { cpus: os.cpus().length, loadAverage1m: round(scans.loadDuringScans) },
    // Resident memory of this process (MB): the in-process network keeps an opcode trace of every eth_call.
    rssMb: scans.rss,
    notes: [
      "Hardhat's in-process network (EDR) records an opcode-level trace of every eth_call; the first scan of a process " +
        "pays the kernel time to fault that memory in (cpuTimeMs.systemFirst), later scans mostly reuse it.",
      "timeMs.runs and cpuTimeMs.runs are the 5 scans after the first; each scan starts after a full GC (not timed).",
    ],
    date: new Date().toISOString(),
  };
}

/** Writes the report as pretty-printed JSON with a final newline, replacing the file (creating its folder). */
export function writeReport(out: string, report: KeeperScaleReport): void {
  fs.mkdirSync(path.dirname(out), { recursive: true });
  fs.writeFileSync(out, JSON.stringify(report, null, 2) + "\n");
}

/** The console summary: each measure against its target. */
export function printReport(report: KeeperScaleReport, results: KeeperScaleResults): void {
  const { timeMs, cpuTimeMs, deployment } = report;
  const [first] = results.scans.runs;
  const found = first.found;
  const { gasPerVaultMean, gasPerVaultMax } = results.sizing;
  const ok = (b: boolean) => (b ? "ok" : "MISSED");
  console.log(`\nKeeper scan of ${report.vaults} vaults (KeeperLens, pages of ${report.batchSize}) on the in-process network\n`);
  console.log(
    table(
      ["measure", "value", "target"],
      [
        ["wall time, median of 5 (ms)", timeMs.median.toFixed(1), `<= ${TARGETS.timeMs} ${ok(timeMs.median <= TARGETS.timeMs)}`],
        ["wall time, first run (ms)", timeMs.first.toFixed(1), `<= ${TARGETS.timeMs} ${ok(timeMs.first <= TARGETS.timeMs)}`],
        ["CPU time, median / first (ms)", `${cpuTimeMs.median.toFixed(1)} / ${cpuTimeMs.first.toFixed(1)}`, ""],
        ["  of which kernel, median / first", `${median(cpuTimeMs.systemRuns).toFixed(1)} / ${cpuTimeMs.systemFirst.toFixed(1)}`, ""],
        ["JSON-RPC requests per scan", report.rpcCalls, `<= ${TARGETS.rpcCalls} ${ok(report.targets.rpcCallsMet)}`],
        ["  of which", Object.entries(first.byMethod).map(([m, n]) => `${m} ${n}`).join(", "), ""],
        ["vaults per call", report.vaultsPerCall, ""],
        ["gas per vault (mean / worst page)", `${gas(gasPerVaultMean)} / ${gas(gasPerVaultMax)}`, ""],
        ["gas per call", results.gasPerCall.map(gas).join(", "), `<= ${gas(TX_GAS_CAP)} each`],
        ["triggers found / expected", `${found.length} / ${report.expectedTriggers}`, ok(results.triggersMatchExpected && results.triggersMatchPerVaultCalls)],
        ["  actions", [...new Set(found.map((d) => actionName(d.action)))].join(", "), ""],
        ["naive: one trigger() per vault", `${results.naive.requests} requests, ${results.naive.ms} ms`, ""],
        ["deploy 1,000 vaults (not timed)", `${(deployment.vaultsMs / 1000).toFixed(1)} s (${deployment.perVaultMs} ms each)`, ""],
      ],
    ),
  );
  console.log(`host: ${report.host.cpus} CPUs, load average (1 min) ${report.host.loadAverage1m}`);
}
