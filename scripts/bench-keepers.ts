/**
 * Keeper scale: with KEEPER_VAULTS (default 1,000) vaults in the registry, the time and the JSON-RPC requests a
 * keeper needs to evaluate every trigger once, through KeeperLens pages (scripts/lib/keeper/keeper-scan.ts).
 * Targets: <= 1 s and <= 5 requests on the in-process network. Writes reports/keeper-scale.json.
 *
 *   npm run bench:keepers
 *
 * World: the local market; 1,000 vaults created through the factory (2x; every 20th with a stop-loss at 1,900);
 * every 10th vault receives a 1 WETH deposit (levered to 2x); then ETH/USD moves to 1,850 (feed and pools), so
 * exactly the funded vaults with a stop-loss (every 20th) have an active trigger. Deployment is not timed as part
 * of the scan, but is measured and reported.
 *
 * Requests are counted on hre.network.provider (scripts/lib/util/rpc-counter.ts): every JSON-RPC request that reaches the
 * node while a scan runs, whatever its method, not only eth_call.
 */
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import hre from "hardhat";
import { Contract, MaxUint256, parseEther } from "ethers";
import type { ILeveredVault, KeeperLens } from "../typechain-types";
import { deployMarket } from "./lib/market/market";
import { fund, setMarketPrice } from "./lib/market/market-helpers";
import { defaultSettings } from "./lib/deploy/vault";
import { createVaults, deployFleet, type Fleet } from "./lib/deploy/vault-fleet";
import { maxBatchSize, scanAll, TX_GAS_CAP, type KeeperDecision } from "./lib/keeper/keeper-scan";
import { countRpc } from "./lib/util/rpc-counter";
import { ACTIONS, actionName, gas, table } from "./lib/util/format";

const { ethers } = hre;
const OUT = path.join(__dirname, "..", "reports", "keeper-scale.json");
const VAULTS = Number(process.env.KEEPER_VAULTS ?? 1000);
const RUNS = 5;
const FUNDED_EVERY = 10;
const STOP_EVERY = 20; // funded vaults with a stop-loss (20 is a multiple of 10)
const STOP_PRICE = 1900;
const CRASH_PRICE = 1850;
const DEPOSIT = parseEther("1");
/** Per-vault gas measured is raised by this margin before sizing pages (vault costs vary with their state). */
const GAS_MARGIN_PCT = 10n;
const TARGETS = { timeMs: 1000, rpcCalls: 5 };

/**
 * Hardhat's in-process network (EDR) records an opcode-level trace of every eth_call (for Solidity stack traces and
 * console.log) and hands it to JS in the response object; that native memory (~100 MB per 100 vault triggers) is
 * only released when V8 collects the response, which its small JS heap rarely prompts. A full collection before
 * each timed run (outside the timing) keeps runs independent of the garbage the previous ones left.
 */
v8.setFlagsFromString("--expose-gc");
const collectGarbage = vm.runInNewContext("gc") as () => void;

const elapsed = (since: number) => Math.round(performance.now() - since);
const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  return s.length % 2 ? s[(s.length - 1) / 2] : (s[s.length / 2 - 1] + s[s.length / 2]) / 2;
};

/** Gas used by `scan(registry, offset, limit)` sent as a transaction, on a snapshot that is then reverted. */
async function scanGas(lens: KeeperLens, registry: string, pages: [number, number][]): Promise<bigint[]> {
  const snapshot = await ethers.provider.send("evm_snapshot", []);
  const [sender] = await ethers.getSigners();
  const used: bigint[] = [];
  for (const [offset, limit] of pages) {
    const data = lens.interface.encodeFunctionData("scan", [registry, offset, limit]);
    const tx = await sender.sendTransaction({ to: lens.target, data, gasLimit: TX_GAS_CAP });
    used.push((await tx.wait())!.gasUsed);
  }
  await ethers.provider.send("evm_revert", [snapshot]);
  return used;
}

/** The naive keeper: vaultCount, one vaults() page, then each vault's trigger() on its own (sequentially). */
async function naiveScan(fleet: Fleet) {
  const registry = fleet.registry.connect(ethers.provider);
  const count = await registry.vaultCount();
  const addresses = await registry.vaults(0, count);
  const { abi } = await hre.artifacts.readArtifact("ILeveredVault");
  const decisions: { needed: boolean; action: number; failed: boolean }[] = [];
  for (const address of addresses) {
    // A plain Contract on the provider: ethers.getContractAt would add an eth_accounts request per vault.
    const vault = new Contract(address, abi, ethers.provider) as unknown as ILeveredVault;
    try {
      const { needed, action } = await vault.trigger();
      decisions.push({ needed, action: Number(action), failed: false });
    } catch {
      decisions.push({ needed: false, action: 0, failed: true });
    }
  }
  return decisions;
}

async function main() {
  const started = performance.now();
  const market = await deployMarket(ethers);
  const fleet = await deployFleet(ethers, market);
  const registry = fleet.registry.target as string;
  const marketMs = elapsed(started);

  // --- 1,000 vaults through the factory ---
  let t = performance.now();
  const vaults = await createVaults(ethers, fleet, VAULTS, (i) => ({
    ...defaultSettings(2),
    name: `Levered WETH 2x #${i}`,
    symbol: `lvWETH2x-${i}`,
    stopLossPrice: i % STOP_EVERY === 0 ? STOP_PRICE : 0,
  }));
  const vaultsMs = elapsed(t);
  console.log(`${VAULTS} vaults created through the factory in ${(vaultsMs / 1000).toFixed(1)} s`);

  // --- deposits into every 10th vault, re-arbitraging the pools now and then ---
  t = performance.now();
  const [depositor] = market.users;
  const funded = vaults.map((_, i) => i).filter((i) => i % FUNDED_EVERY === 0);
  await fund(market, depositor.address, { weth: DEPOSIT * BigInt(funded.length) });
  for (const [n, i] of funded.entries()) {
    const vault = (await ethers.getContractAt("ILeveredVault", vaults[i], depositor)) as unknown as ILeveredVault;
    await (await market.weth.connect(depositor).getFunction("approve")(vault.target, MaxUint256)).wait();
    await (await vault["deposit(uint256,address)"](DEPOSIT, depositor.address)).wait();
    if (n % 25 === 24) await setMarketPrice(market, 2000);
  }
  const depositsMs = elapsed(t);
  console.log(`${funded.length} deposits of 1 WETH (levered to 2x) in ${(depositsMs / 1000).toFixed(1)} s`);

  await setMarketPrice(market, CRASH_PRICE);
  const expected = vaults.filter((_, i) => i % STOP_EVERY === 0);

  // --- page size from the measured gas per vault (transactions on a reverted snapshot) ---
  const triggerGasLimit = await fleet.lens.TRIGGER_GAS_LIMIT();
  const calibrationPages: [number, number][] = [[0, 0]];
  for (let offset = 0; offset < VAULTS; offset += 100) calibrationPages.push([offset, Math.min(100, VAULTS - offset)]);
  const [fixedGas, ...pageGas] = await scanGas(fleet.lens, registry, calibrationPages);
  const perVault = pageGas.map((g, k) => (g - fixedGas) / BigInt(calibrationPages[k + 1][1]));
  const gasPerVaultMax = perVault.reduce((a, b) => (a > b ? a : b));
  const gasPerVaultMean = (pageGas.reduce((a, b) => a + b) - fixedGas * BigInt(pageGas.length)) / BigInt(VAULTS);
  const batchSize = Math.min(VAULTS, maxBatchSize((gasPerVaultMax * (100n + GAS_MARGIN_PCT)) / 100n, triggerGasLimit));

  // --- the measurement: full scans, every JSON-RPC request counted ---
  const lens = fleet.lens.connect(ethers.provider);
  const loadDuringScans = os.loadavg()[0];
  const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);
  const rss = { beforeFirst: rssMb(), afterFirst: 0, afterRuns: 0 };
  const counter = countRpc(hre.network.provider);
  const runs: {
    ms: number;
    cpuMs: number;
    sysMs: number;
    requests: number;
    byMethod: Record<string, number>;
    calls: number;
    found: KeeperDecision[];
    failed: number;
  }[] = [];
  let blockNumber = 0;
  try {
    for (let r = 0; r < RUNS + 1; r++) {
      collectGarbage();
      counter.reset();
      const cpu0 = process.cpuUsage();
      const t0 = performance.now();
      const result = await scanAll(lens, registry, { batchSize });
      const ms = performance.now() - t0;
      const cpu = process.cpuUsage(cpu0);
      blockNumber = result.blockNumber;
      if (result.decisions.length !== VAULTS) throw new Error(`scan returned ${result.decisions.length} decisions`);
      runs.push({
        ms,
        cpuMs: (cpu.user + cpu.system) / 1000,
        sysMs: cpu.system / 1000,
        requests: counter.total,
        byMethod: counter.byMethod,
        calls: result.calls,
        found: result.decisions.filter((d) => d.needed),
        failed: result.decisions.filter((d) => d.failed).length,
      });
      if (r === 0) rss.afterFirst = rssMb();
    }
  } finally {
    counter.stop();
  }
  rss.afterRuns = rssMb();
  const [first, ...warm] = runs;
  const found = first.found;
  const stopLoss = ACTIONS.indexOf("StopLoss");
  const foundMatches = runs.every(
    (r) =>
      r.failed === 0 &&
      r.found.length === expected.length &&
      r.found.every((d, k) => d.vault === expected[k] && d.action === stopLoss),
  );

  // --- ground truth and the naive way: each vault's own trigger(), one request each ---
  collectGarbage();
  const naiveCounter = countRpc(hre.network.provider);
  t = performance.now();
  const naive = await naiveScan(fleet);
  const naiveMs = elapsed(t);
  naiveCounter.stop();
  const naiveNeeded = vaults.filter((_, i) => naive[i].needed);
  const matchesGroundTruth =
    naiveNeeded.length === found.length && naiveNeeded.every((v, k) => v === found[k].vault) && naive.every((d) => !d.failed);

  // --- gas of the actual pages ---
  const pages: [number, number][] = [];
  for (let offset = 0; offset < VAULTS; offset += batchSize) pages.push([offset, Math.min(batchSize, VAULTS - offset)]);
  const gasPerCall = await scanGas(fleet.lens, registry, pages);

  const round = (x: number) => Math.round(x * 10) / 10;
  const timesMs = warm.map((r) => round(r.ms));
  const cpuMs = warm.map((r) => round(r.cpuMs));
  const report = {
    vaults: VAULTS,
    rpcCalls: first.requests,
    rpcCallsByMethod: first.byMethod,
    rpcCallsPerRun: runs.map((r) => r.requests),
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
    batchSize,
    vaultsPerCall: Math.round((VAULTS / first.calls) * 10) / 10,
    gasPerVault: Number(gasPerVaultMean),
    gasPerVaultMaxPage: Number(gasPerVaultMax),
    gasPerScanFixed: Number(fixedGas),
    gasPerCall: gasPerCall.map(Number),
    gasCapPerCall: Number(TX_GAS_CAP),
    triggerGasLimit: Number(triggerGasLimit),
    triggersFound: found.length,
    expectedTriggers: expected.length,
    triggersMatchExpected: foundMatches,
    triggersMatchPerVaultCalls: matchesGroundTruth,
    failedVaults: first.failed,
    naivePerVault: { rpcCalls: naiveCounter.total, rpcCallsByMethod: naiveCounter.byMethod, timeMs: naiveMs },
    targets: {
      ...TARGETS,
      timeMet: median(timesMs) <= TARGETS.timeMs && first.ms <= TARGETS.timeMs,
      rpcCallsMet: runs.every((r) => r.requests <= TARGETS.rpcCalls),
    },
    deployment: {
      marketAndStackMs: marketMs,
      vaultsMs,
      perVaultMs: Math.round((vaultsMs / VAULTS) * 10) / 10,
      depositsMs,
      fundedVaults: funded.length,
    },
    scenario: `2x vaults, every ${FUNDED_EVERY}th funded with 1 WETH, every ${STOP_EVERY}th with a stop-loss at ${STOP_PRICE}; ETH/USD ${CRASH_PRICE}`,
    blockNumber,
    network: "hardhat in-process",
    hardfork: hre.config.networks.hardhat.hardfork,
    hardhat: (require("hardhat/package.json") as { version: string }).version,
    node: process.version,
    host: { cpus: os.cpus().length, loadAverage1m: round(loadDuringScans) },
    // Resident memory of this process (MB): the in-process network keeps an opcode trace of every eth_call.
    rssMb: rss,
    notes: [
      "Hardhat's in-process network (EDR) records an opcode-level trace of every eth_call; the first scan of a process " +
        "pays the kernel time to fault that memory in (cpuTimeMs.systemFirst), later scans mostly reuse it.",
      "timeMs.runs and cpuTimeMs.runs are the 5 scans after the first; each scan starts after a full GC (not timed).",
    ],
    date: new Date().toISOString(),
  };
  fs.mkdirSync(path.dirname(OUT), { recursive: true });
  fs.writeFileSync(OUT, JSON.stringify(report, null, 2) + "\n");

  const ok = (b: boolean) => (b ? "ok" : "MISSED");
  console.log(`\nKeeper scan of ${VAULTS} vaults (KeeperLens, pages of ${batchSize}) on the in-process network\n`);
  console.log(
    table(
      ["measure", "value", "target"],
      [
        ["wall time, median of 5 (ms)", report.timeMs.median.toFixed(1), `<= ${TARGETS.timeMs} ${ok(report.timeMs.median <= TARGETS.timeMs)}`],
        ["wall time, first run (ms)", report.timeMs.first.toFixed(1), `<= ${TARGETS.timeMs} ${ok(report.timeMs.first <= TARGETS.timeMs)}`],
        ["CPU time, median / first (ms)", `${report.cpuTimeMs.median.toFixed(1)} / ${report.cpuTimeMs.first.toFixed(1)}`, ""],
        ["  of which kernel, median / first", `${median(report.cpuTimeMs.systemRuns).toFixed(1)} / ${report.cpuTimeMs.systemFirst.toFixed(1)}`, ""],
        ["JSON-RPC requests per scan", report.rpcCalls, `<= ${TARGETS.rpcCalls} ${ok(report.targets.rpcCallsMet)}`],
        ["  of which", Object.entries(first.byMethod).map(([m, n]) => `${m} ${n}`).join(", "), ""],
        ["vaults per call", report.vaultsPerCall, ""],
        ["gas per vault (mean / worst page)", `${gas(gasPerVaultMean)} / ${gas(gasPerVaultMax)}`, ""],
        ["gas per call", gasPerCall.map(gas).join(", "), `<= ${gas(TX_GAS_CAP)} each`],
        ["triggers found / expected", `${found.length} / ${expected.length}`, ok(foundMatches && matchesGroundTruth)],
        ["  actions", [...new Set(found.map((d) => actionName(d.action)))].join(", "), ""],
        ["naive: one trigger() per vault", `${naiveCounter.total} requests, ${naiveMs} ms`, ""],
        ["deploy 1,000 vaults (not timed)", `${(vaultsMs / 1000).toFixed(1)} s (${report.deployment.perVaultMs} ms each)`, ""],
      ],
    ),
  );
  console.log(`host: ${report.host.cpus} CPUs, load average (1 min) ${report.host.loadAverage1m}`);
  console.log(`\nWritten to ${path.relative(process.cwd(), OUT)}`);
  if (!foundMatches || !matchesGroundTruth) process.exitCode = 1;
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
