/**
 * Gas snapshot of the main operations (Uniswap's snapshotGasCost idea, without the jest dependency): tests call
 * `recordGas(name, tx)`; after the run every figure is compared with reports/gas-snapshot.json within a tolerance
 * (`gasTolerance`), and written there only on request (UPDATE_GAS_SNAPSHOT=1 or UPDATE_REPORTS=1): `npm test` leaves
 * the tree clean. Never written under coverage (instrumented gas) or after a failed test.
 */
import fs from "node:fs";
import path from "node:path";
import type { ContractTransactionResponse, TransactionReceipt } from "ethers";

const SNAPSHOT = path.join(__dirname, "..", "..", "reports", "gas-snapshot.json");
const recorded = new Map<string, number>();
let failures = 0;

/**
 * Why the recorded figures must not be written, if so: under `npx hardhat coverage` the contracts are instrumented
 * (their gas is not the product's), and after a failed test the run is not one whose figures we keep.
 */
export function snapshotRefusal(): string | undefined {
  if (underCoverage()) return "coverage run: instrumented gas";
  if (failures > 0) return `${failures} test(s) failed`;
  return undefined;
}

/**
 * True under `npm run coverage`: the contracts are instrumented, so their gas and code size are not the product's.
 * Gas and size assertions are skipped then, never the tests that make them.
 */
export function underCoverage(): boolean {
  // solidity-coverage marks the Hardhat runtime environment it runs the tests in.
  const hre = require("hardhat") as { __SOLIDITY_COVERAGE_RUNNING?: boolean };
  return !!hre.__SOLIDITY_COVERAGE_RUNNING || !!process.env.SOLIDITY_COVERAGE;
}

afterEach(function countFailures() {
  if (this.currentTest?.state === "failed") failures += 1;
});

/** Records the gas used by `tx` under `name` and returns its receipt. */
export async function recordGas(
  name: string,
  tx: ContractTransactionResponse | Promise<ContractTransactionResponse>,
): Promise<TransactionReceipt> {
  const receipt = (await (await tx).wait())!;
  recorded.set(name, Number(receipt.gasUsed));
  return receipt;
}

/**
 * A recorded figure may differ from the snapshot by this much before the run fails: the larger of 25k gas and 5 %
 * (the same code moves by up to ~20k between runs: timestamps, warm / cold slots after other tests in the process).
 */
export function gasTolerance(snapshot: number): number {
  return Math.max(25_000, Math.round(snapshot * 0.05));
}

/** The recorded figures outside the tolerance of `snapshot`, one line each ("name old -> new"). */
export function gasDrift(snapshot: Record<string, number>, figures: Map<string, number>): string[] {
  const drift: string[] = [];
  for (const [name, gas] of figures) {
    const old = snapshot[name];
    // A figure not in the snapshot yet is no drift: UPDATE_GAS_SNAPSHOT=1 adds it.
    if (old === undefined) continue;
    if (Math.abs(gas - old) > gasTolerance(old)) drift.push(`${name}: ${old} -> ${gas}`);
  }
  return drift;
}

/**
 * After the run: with UPDATE_REPORTS=1 (or UPDATE_GAS_SNAPSHOT=1) the figures are merged into the snapshot; otherwise
 * nothing is written (a test run leaves the tree clean) and a figure outside the tolerance fails the run.
 */
after(function checkGasSnapshot() {
  if (recorded.size === 0) return;
  const refusal = snapshotRefusal();
  if (refusal) {
    console.log(`  reports/gas-snapshot.json not checked or updated (${refusal})`);
    return;
  }
  const previous = fs.existsSync(SNAPSHOT) ? (JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, number>) : {};
  if (process.env.UPDATE_REPORTS === "1" || process.env.UPDATE_GAS_SNAPSHOT === "1") {
    const merged: Record<string, number> = { ...previous, ...Object.fromEntries(recorded) };
    const sorted = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
    fs.mkdirSync(path.dirname(SNAPSHOT), { recursive: true });
    fs.writeFileSync(SNAPSHOT, JSON.stringify(sorted, null, 2) + "\n");
    console.log(`  reports/gas-snapshot.json updated (${recorded.size} figures)`);
    return;
  }
  const drift = gasDrift(previous, recorded);
  if (drift.length) {
    throw new Error(
      `gas outside the snapshot's tolerance (max(25k, 5 %)):\n    ${drift.join("\n    ")}\n` +
        "  re-record with UPDATE_GAS_SNAPSHOT=1 on the tests that record them, and review the diff",
    );
  }
});
