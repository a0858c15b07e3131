/**
 * Keeper-side evaluation of every vault's trigger through the KeeperLens: one `eth_call` per page of vaults.
 * The first page also returns the registry's vault count and the block it was read on; the remaining pages are
 * then requested together, pinned to that block, so the whole scan is one consistent snapshot. No other request
 * is made (no eth_blockNumber, no vaultCount call): for N vaults and pages of B, exactly ceil(N / B) requests,
 * unless a page runs out of gas (a vault used its whole allowance), in which case that page is split in two and
 * retried, each retry counted.
 *
 * The answer is decoded by `decodeScan` below rather than by ethers' ABI coder: the layout is fixed (five static
 * words per vault) and ethers' generic decoding cost ~0.1-0.3 ms per vault here, a third of the time budget.
 */
import { getAddress, resolveAddress, type AddressLike, type BlockTag } from "ethers";
import type { IKeeperLens } from "../../../typechain-types";

/** EIP-7825 (osaka) per-transaction gas cap; Hardhat 2.29 applies it to eth_call too (checked: 2^24 + 1 is refused). */
export const TX_GAS_CAP = 16_777_216n;

/**
 * Gas (units) a `scan` page costs besides its vaults' marginal cost: intrinsic gas, registry reads and encoding
 * (~30k measured) plus what the first vault pays to warm the contracts all vaults share (pool, feeds, module: ~65k).
 */
export const SCAN_FIXED_GAS = 150_000n;

export interface KeeperDecision {
  vault: string;
  needed: boolean;
  /** IVaultAutomation.Action as a number (0 = None). */
  action: number;
  failed: boolean;
  /** Revert selector when `failed` ("0x00000000" when there was no revert data). */
  errorSelector: string;
}

export interface ScanOptions {
  /** Vaults per `eth_call`. */
  batchSize: number;
  /** Gas (units) given to each `eth_call`; default the 2^24 per-transaction cap. */
  gasPerCall?: bigint;
  /** Block to read; default latest (then every page is pinned to the block the first page was read on). */
  blockTag?: BlockTag;
}

export interface ScanResult {
  /** Block every decision was read on. */
  blockNumber: number;
  /** Registry vault count at that block. */
  total: number;
  /** One per registered vault, in registry order. */
  decisions: KeeperDecision[];
  /** `eth_call` requests this scan sent (retries included). */
  calls: number;
  /** Pages that ran out of gas and were split. */
  splits: number;
}

/**
 * Largest page that fits `gasPerCall` when each vault costs up to `gasPerVault`: the lens insists on having a full
 * `triggerGasLimit` (+ 1/63 for EIP-150 + 10k overhead) left before each vault, so that much stays unused at the end.
 */
export function maxBatchSize(gasPerVault: bigint, triggerGasLimit: bigint, gasPerCall: bigint = TX_GAS_CAP): number {
  const reserve = triggerGasLimit + triggerGasLimit / 63n + 10_000n;
  const room = gasPerCall - SCAN_FIXED_GAS - reserve;
  if (room < 0n) return 1;
  return Number(room / gasPerVault) + 1;
}

/** What one `scan` call returned. */
export interface ScanPage {
  blockNumber: number;
  total: number;
  decisions: KeeperDecision[];
}

const WORD = 64; // hex characters per ABI word
// The lens already checks `action` against the vault's Action enum; here only that it is a uint8, so that the
// decoder does not need to change when the enum grows.
const UINT8_MAX = 255n;

/**
 * Decodes the return data of `scan(registry, offset, limit)`: (uint256 blockNumber, uint256 total, Decision[] page)
 * with Decision = (address, bool, uint8, bool, bytes4), a static tuple ABI-encoded inline as five words. Strict: any
 * other layout or an out-of-range field throws (a node or lens that answers something else is not trusted).
 */
export function decodeScan(data: string): ScanPage {
  const hex = data.startsWith("0x") ? data.slice(2) : data;
  const word = (k: number) => BigInt("0x" + hex.slice(k * WORD, (k + 1) * WORD));
  const malformed = (what: string) => new Error(`KeeperLens.scan returned malformed data: ${what}`);
  if (hex.length < 4 * WORD || hex.length % WORD !== 0) throw malformed(`length ${hex.length / 2} bytes`);
  if (word(2) !== 3n * 32n) throw malformed("array offset");
  const count = Number(word(3));
  if (hex.length !== (4 + 5 * count) * WORD) throw malformed(`${count} decisions in ${hex.length / 2} bytes`);
  const decisions: KeeperDecision[] = [];
  for (let i = 0; i < count; i++) {
    const base = 4 + 5 * i;
    const [vault, needed, action, failed, selector] = [0, 1, 2, 3, 4].map((k) => word(base + k));
    if (vault >> 160n !== 0n || needed > 1n || action > UINT8_MAX || failed > 1n || (selector & ((1n << 224n) - 1n)) !== 0n) {
      throw malformed(`decision ${i}`);
    }
    decisions.push({
      vault: getAddress("0x" + vault.toString(16).padStart(40, "0")),
      needed: needed === 1n,
      action: Number(action),
      failed: failed === 1n,
      errorSelector: "0x" + (selector >> 224n).toString(16).padStart(8, "0"),
    });
  }
  return { blockNumber: Number(word(0)), total: Number(word(1)), decisions };
}

/** Revert data of a failed call, wherever ethers / Hardhat put it. */
function revertData(error: unknown): string | undefined {
  let e = error as { data?: unknown; error?: unknown; info?: { error?: unknown } } | undefined;
  for (let depth = 0; e && depth < 4; depth++) {
    if (typeof e.data === "string" && e.data.startsWith("0x")) return e.data;
    if (e.data && typeof (e.data as { data?: unknown }).data === "string") return (e.data as { data: string }).data;
    e = (e.error ?? e.info?.error) as typeof e;
  }
  return undefined;
}

function isLensOutOfGas(lens: IKeeperLens, error: unknown): boolean {
  const data = revertData(error);
  return !!data && data.slice(0, 10) === lens.interface.getError("KeeperLensOutOfGas")?.selector;
}

/** Evaluates every vault of `registry` through `lens` (see the file comment for the requests it makes). */
export async function scanAll(lens: IKeeperLens, registry: AddressLike, opts: ScanOptions): Promise<ScanResult> {
  const { batchSize } = opts;
  if (!Number.isInteger(batchSize) || batchSize < 1) throw new Error(`batchSize must be a positive integer, got ${batchSize}`);
  const connected = lens.runner?.provider;
  if (!connected) throw new Error("scanAll: the lens must be connected to a provider");
  const provider = connected;
  const gasLimit = opts.gasPerCall ?? TX_GAS_CAP;
  const [to, registryAddress] = await Promise.all([resolveAddress(lens.target), resolveAddress(registry)]);
  let calls = 0;
  let splits = 0;

  /** One page, or undefined when it ran out of gas (and can be split). */
  const page = async (offset: number, limit: number, blockTag: BlockTag): Promise<ScanPage | undefined> => {
    calls += 1;
    const data = lens.interface.encodeFunctionData("scan", [registryAddress, offset, limit]);
    try {
      return decodeScan(await provider.call({ to, data, gasLimit, blockTag }));
    } catch (error) {
      if (limit > 1 && isLensOutOfGas(lens, error)) return undefined;
      throw error;
    }
  };
  // A page that ran out of gas is split in two, recursively.
  const decisionsOf = async (offset: number, limit: number, blockTag: BlockTag): Promise<KeeperDecision[]> => {
    if (limit <= 0) return [];
    const result = await page(offset, limit, blockTag);
    if (result) return result.decisions;
    splits += 1;
    const half = Math.ceil(limit / 2);
    const [a, b] = await Promise.all([
      decisionsOf(offset, half, blockTag),
      decisionsOf(offset + half, limit - half, blockTag),
    ]);
    return [...a, ...b];
  };

  // The first page tells the block and the vault count; if it runs out of gas, its first half is tried, and so on.
  let firstLimit = batchSize;
  let first = await page(0, firstLimit, opts.blockTag ?? "latest");
  while (!first) {
    splits += 1;
    firstLimit = Math.ceil(firstLimit / 2);
    first = await page(0, firstLimit, opts.blockTag ?? "latest");
  }
  const { blockNumber, total } = first;

  // The rest of the first batch (after a split) and every other batch, together, at the first page's block.
  const rest: Promise<KeeperDecision[]>[] = [decisionsOf(firstLimit, Math.min(batchSize, total) - firstLimit, blockNumber)];
  for (let offset = batchSize; offset < total; offset += batchSize) {
    rest.push(decisionsOf(offset, Math.min(batchSize, total - offset), blockNumber));
  }
  const decisions = [...first.decisions, ...(await Promise.all(rest)).flat()];
  return { blockNumber, total, decisions, calls, splits };
}
