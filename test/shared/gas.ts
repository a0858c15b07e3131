/**
 * Gas snapshot of the main operations (Uniswap's snapshotGasCost idea, without the jest dependency): tests call
 * `recordGas(name, tx)`; after the run every figure is written, sorted, to reports/gas-snapshot.json. The chain
 * is deterministic, so the file only changes when the code does: review its diff like code. Never written under
 * coverage (instrumented gas) or after a failed test.
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

after(function writeGasSnapshot() {
  if (recorded.size === 0) return;
  const refusal = snapshotRefusal();
  if (refusal) {
    console.log(`  reports/gas-snapshot.json not updated (${refusal})`);
    return;
  }
  const previous = fs.existsSync(SNAPSHOT) ? (JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, number>) : {};
  const merged: Record<string, number> = { ...previous, ...Object.fromEntries(recorded) };
  const sorted = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
  fs.mkdirSync(path.dirname(SNAPSHOT), { recursive: true });
  fs.writeFileSync(SNAPSHOT, JSON.stringify(sorted, null, 2) + "\n");
});
