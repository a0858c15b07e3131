/**
 * Gas snapshot of the main operations (Uniswap's snapshotGasCost idea, without the jest dependency): tests call
 * `recordGas(name, tx)`; after the run every figure is written, sorted, to reports/gas-snapshot.json. The chain
 * is deterministic, so the file only changes when the code does: review its diff like code.
 */
import fs from "node:fs";
import path from "node:path";
import type { ContractTransactionResponse, TransactionReceipt } from "ethers";

const SNAPSHOT = path.join(__dirname, "..", "..", "reports", "gas-snapshot.json");
const recorded = new Map<string, number>();

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
  const previous = fs.existsSync(SNAPSHOT) ? (JSON.parse(fs.readFileSync(SNAPSHOT, "utf8")) as Record<string, number>) : {};
  const merged: Record<string, number> = { ...previous, ...Object.fromEntries(recorded) };
  const sorted = Object.fromEntries(Object.keys(merged).sort().map((k) => [k, merged[k]]));
  fs.mkdirSync(path.dirname(SNAPSHOT), { recursive: true });
  fs.writeFileSync(SNAPSHOT, JSON.stringify(sorted, null, 2) + "\n");
});
