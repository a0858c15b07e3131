/**
 * The keeper-scale benchmark's measurements (scripts/bench-keepers.ts): page size from the gas each vault costs,
 * timed full scans through KeeperLens with every JSON-RPC request counted, the naive one-request-per-vault scan as
 * ground truth, and the gas of the pages actually used.
 *
 * Requests are counted on hre.network.provider (scripts/lib/util/rpc-counter.ts): every JSON-RPC request that reaches
 * the node while a scan runs, whatever its method, not only eth_call.
 */
import os from "node:os";
import { performance } from "node:perf_hooks";
import v8 from "node:v8";
import vm from "node:vm";
import { Contract } from "ethers";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { ILeveredVault, KeeperLens } from "../../../typechain-types";
import type { Fleet } from "../deploy/vault-fleet";
import { countRpc, type RpcCounter } from "../util/rpc-counter";
import { ACTIONS } from "../util/format";
import { maxBatchSize, scanAll, TX_GAS_CAP, type KeeperDecision } from "../keeper/keeper-scan";
import { elapsed, type World } from "./keeper-scale-world";

/** Timed scans after the first (the first is reported on its own). */
export const RUNS = 5;
/** Per-vault gas measured is raised by this margin before sizing pages (vault costs vary with their state). */
const GAS_MARGIN_PCT = 10n;
/** Vaults per page when measuring the gas per vault. */
const CALIBRATION_PAGE = 100;

/**
 * Hardhat's in-process network (EDR) records an opcode-level trace of every eth_call (for Solidity stack traces and
 * console.log) and hands it to JS in the response object; that native memory (~100 MB per 100 vault triggers) is
 * only released when V8 collects the response, which its small JS heap rarely prompts. A full collection before
 * each timed run (outside the timing) keeps runs independent of the garbage the previous ones left.
 */
v8.setFlagsFromString("--expose-gc");
export const collectGarbage = vm.runInNewContext("gc") as () => void;

export interface PageSizing {
  triggerGasLimit: bigint;
  /** Gas of a scan over no vault. */
  fixedGas: bigint;
  /** Per vault, on the most expensive calibration page. */
  gasPerVaultMax: bigint;
  /** Per vault, over all vaults. */
  gasPerVaultMean: bigint;
  batchSize: number;
}

export interface ScanRun {
  ms: number;
  cpuMs: number;
  sysMs: number;
  requests: number;
  byMethod: Record<string, number>;
  calls: number;
  found: KeeperDecision[];
  failed: number;
}

export interface ScanMeasurement {
  /** The first scan of the process, then RUNS more. */
  runs: ScanRun[];
  blockNumber: number;
  /** 1-minute load average of the host as the scans start. */
  loadDuringScans: number;
  /** Resident memory of this process (MB). */
  rss: { beforeFirst: number; afterFirst: number; afterRuns: number };
}

export interface NaiveMeasurement {
  decisions: { needed: boolean; action: number; failed: boolean }[];
  requests: number;
  byMethod: Record<string, number>;
  ms: number;
}

/** `[offset, limit]` pages of at most `size` vaults covering `count` vaults. */
function pagesOf(count: number, size: number): [number, number][] {
  const pages: [number, number][] = [];
  for (let offset = 0; offset < count; offset += size) pages.push([offset, Math.min(size, count - offset)]);
  return pages;
}

/** Page size from the measured gas per vault (transactions on a reverted snapshot), with GAS_MARGIN_PCT margin. */
export async function sizePages(hre: HardhatRuntimeEnvironment, world: World): Promise<PageSizing> {
  const count = world.vaults.length;
  const triggerGasLimit = await world.fleet.lens.TRIGGER_GAS_LIMIT();
  const calibrationPages: [number, number][] = [[0, 0], ...pagesOf(count, CALIBRATION_PAGE)];
  const [fixedGas, ...pageGas] = await scanGas(hre, world.fleet.lens, world.registry, calibrationPages);
  const perVault = pageGas.map((g, k) => (g - fixedGas) / BigInt(calibrationPages[k + 1][1]));
  const gasPerVaultMax = perVault.reduce((a, b) => (a > b ? a : b));
  const gasPerVaultMean = (pageGas.reduce((a, b) => a + b) - fixedGas * BigInt(pageGas.length)) / BigInt(count);
  const batchSize = Math.min(count, maxBatchSize((gasPerVaultMax * (100n + GAS_MARGIN_PCT)) / 100n, triggerGasLimit));
  return { triggerGasLimit, fixedGas, gasPerVaultMax, gasPerVaultMean, batchSize };
}

/** The measurement: 1 + RUNS full scans in pages of `batchSize`, each after a full GC, every JSON-RPC request counted. */
export async function measureScans(hre: HardhatRuntimeEnvironment, world: World, batchSize: number): Promise<ScanMeasurement> {
  const lens = world.fleet.lens.connect(hre.ethers.provider);
  const loadDuringScans = os.loadavg()[0];
  const rssMb = () => Math.round(process.memoryUsage().rss / 1e6);
  const rss = { beforeFirst: rssMb(), afterFirst: 0, afterRuns: 0 };
  const counter = countRpc(hre.network.provider);
  const runs: ScanRun[] = [];
  let blockNumber = 0;
  try {
    for (let r = 0; r < RUNS + 1; r++) {
      const scan = await timedScan(lens, world, batchSize, counter);
      blockNumber = scan.blockNumber;
      runs.push(scan.run);
      if (r === 0) rss.afterFirst = rssMb();
    }
  } finally {
    counter.stop();
  }
  rss.afterRuns = rssMb();
  return { runs, blockNumber, loadDuringScans, rss };
}

async function timedScan(lens: KeeperLens, world: World, batchSize: number, counter: RpcCounter) {
  collectGarbage();
  counter.reset();
  const cpu0 = process.cpuUsage();
  const t0 = performance.now();
  const result = await scanAll(lens, world.registry, { batchSize });
  const ms = performance.now() - t0;
  const cpu = process.cpuUsage(cpu0);
  const count = world.vaults.length;
  if (result.decisions.length !== count) throw new Error(`scan returned ${result.decisions.length} decisions`);
  const run: ScanRun = {
    ms,
    cpuMs: (cpu.user + cpu.system) / 1000,
    sysMs: cpu.system / 1000,
    requests: counter.total,
    byMethod: counter.byMethod,
    calls: result.calls,
    found: result.decisions.filter((d) => d.needed),
    failed: result.decisions.filter((d) => d.failed).length,
  };
  return { run, blockNumber: result.blockNumber };
}

/** Every run found exactly the expected stop-losses, in order, and no vault failed. */
export function runsFoundExpected(runs: ScanRun[], expected: string[]): boolean {
  const stopLoss = ACTIONS.indexOf("StopLoss");
  return runs.every(
    (r) =>
      r.failed === 0 &&
      r.found.length === expected.length &&
      r.found.every((d, k) => d.vault === expected[k] && d.action === stopLoss),
  );
}

/** Ground truth and the naive way: each vault's own trigger(), one request each, counted and timed. */
export async function measureNaiveScan(hre: HardhatRuntimeEnvironment, fleet: Fleet): Promise<NaiveMeasurement> {
  collectGarbage();
  const counter = countRpc(hre.network.provider);
  const t = performance.now();
  const decisions = await naiveScan(hre, fleet);
  const ms = elapsed(t);
  counter.stop();
  return { decisions, requests: counter.total, byMethod: counter.byMethod, ms };
}

/** The naive scan needed exactly the vaults the lens scan `found`, and none of its calls failed. */
export function naiveMatchesScan(naive: NaiveMeasurement, vaults: string[], found: KeeperDecision[]): boolean {
  const naiveNeeded = vaults.filter((_, i) => naive.decisions[i].needed);
  return (
    naiveNeeded.length === found.length &&
    naiveNeeded.every((v, k) => v === found[k].vault) &&
    naive.decisions.every((d) => !d.failed)
  );
}

/** Gas of each page of `batchSize` a full scan sends, as transactions on a reverted snapshot. */
export function pageGas(hre: HardhatRuntimeEnvironment, world: World, batchSize: number): Promise<bigint[]> {
  return scanGas(hre, world.fleet.lens, world.registry, pagesOf(world.vaults.length, batchSize));
}

/** Gas used by `scan(registry, offset, limit)` sent as a transaction, on a snapshot that is then reverted. */
async function scanGas(hre: HardhatRuntimeEnvironment, lens: KeeperLens, registry: string, pages: [number, number][]) {
  const { ethers } = hre;
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
async function naiveScan(hre: HardhatRuntimeEnvironment, fleet: Fleet) {
  const { ethers } = hre;
  const registry = fleet.registry.connect(ethers.provider);
  const count = await registry.vaultCount();
  const addresses = await registry.vaults(0, count);
  const { abi } = await hre.artifacts.readArtifact("ILeveredVault");
  const decisions: NaiveMeasurement["decisions"] = [];
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
