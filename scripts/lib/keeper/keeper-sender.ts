/**
 * How the keeper bot sends when it runs unattended (`keeper:run`):
 *
 * - EIP-1559 fees with a max fee per urgency: band < health < stop < ripcord (gwei, configurable). The first send
 *   offers min(cap, 2 x base fee + tip); an action whose cap is below the current base fee waits (and says so).
 * - One transaction in flight per vault, with explicit nonces. A transaction not mined after `stuckBlocks` blocks is
 *   replaced (same nonce) with fees bumped by 12.5% or to 2 x base fee + tip, whichever is higher, within the cap.
 * - No double send across a restart: the state is read back from the chain. When the account's pending nonce is above
 *   its mined nonce, the pending block's transactions from the account are adopted as in flight (by target vault); if
 *   the node does not show them, nothing is sent until they are mined.
 */
import { getAddress, type Provider, type Signer, type TransactionReceipt } from "ethers";

export type Urgency = "band" | "health" | "stop" | "ripcord";
export const URGENCIES: Urgency[] = ["band", "health", "stop", "ripcord"];

/** Max fee per gas and priority fee per urgency, in wei. */
export interface FeePolicy {
  maxFee: Record<Urgency, bigint>;
  tip: Record<Urgency, bigint>;
}

const GWEI = 10n ** 9n;
export const gwei = (wei: bigint) => `${Number((Number(wei) / 1e9).toFixed(3))} gwei`;

/** Defaults (gwei): caps 50 / 100 / 200 / 500, tips 1 / 2 / 3 / 5. */
export const DEFAULT_FEES: FeePolicy = {
  maxFee: { band: 50n * GWEI, health: 100n * GWEI, stop: 200n * GWEI, ripcord: 500n * GWEI },
  tip: { band: 1n * GWEI, health: 2n * GWEI, stop: 3n * GWEI, ripcord: 5n * GWEI },
};

/** "band=30,health=80,stop=150,ripcord=400" (gwei) over `base`; unknown keys or a non-increasing order are refused. */
export function parseFeeCaps(text: string, base: Record<Urgency, bigint> = DEFAULT_FEES.maxFee): Record<Urgency, bigint> {
  const caps = { ...base };
  for (const part of text.split(",").map((p) => p.trim()).filter(Boolean)) {
    const [key, value] = part.split("=").map((s) => s.trim());
    if (!URGENCIES.includes(key as Urgency)) throw new Error(`unknown urgency '${key}' (use ${URGENCIES.join(", ")})`);
    if (!/^\d+(\.\d+)?$/.test(value ?? "")) throw new Error(`'${part}': the cap is a number of gwei, e.g. ${key}=50`);
    caps[key as Urgency] = BigInt(Math.round(Number(value) * 1e9));
  }
  for (let i = 1; i < URGENCIES.length; i++) {
    if (caps[URGENCIES[i]] < caps[URGENCIES[i - 1]]) {
      throw new Error(`caps must not decrease with urgency (band <= health <= stop <= ripcord): ${URGENCIES[i]} < ${URGENCIES[i - 1]}`);
    }
  }
  return caps;
}

/** The urgency of a keeper action (IVaultAutomation.Action name). */
export function urgencyOf(action: string, call: "rebalance" | "ripcord"): Urgency {
  if (call === "ripcord" || action === "Ripcord") return "ripcord";
  if (action === "DeleverHealth") return "health";
  if (action === "StopLoss" || action === "TrailingStop" || action === "TakeProfit") return "stop";
  return "band";
}

export interface InFlight {
  vault: string;
  hash: string;
  nonce: number;
  /** Block number when (re)sent: the stuck clock. */
  sentAtBlock: number;
  maxFeePerGas: bigint;
  maxPriorityFeePerGas: bigint;
  gasLimit: bigint;
  data: string;
  urgency: Urgency;
  action: string;
  replacements: number;
}

export type SendOutcome =
  | { status: "mined"; receipt: TransactionReceipt; replaced: number }
  | { status: "pending"; hash: string; replaced: number }
  | { status: "waiting"; reason: string };

export interface SenderOptions {
  fees?: FeePolicy;
  /** Blocks without inclusion after which an in-flight transaction is replaced; default 3. */
  stuckBlocks?: number;
  /** How long a send waits for its receipt before leaving it in flight (ms); default 15,000. */
  confirmTimeoutMs?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
  /** Called with gas used and fee paid (wei) of every mined transaction. */
  onMined?: (receipt: TransactionReceipt, urgency: Urgency) => void;
}

const bump = (x: bigint) => x + x / 8n + 1n; // +12.5%: the replacement rule of geth (10%) and Hardhat, with margin

export class KeeperSender {
  readonly inFlight = new Map<string, InFlight>();
  private readonly fees: FeePolicy;
  private readonly stuckBlocks: number;
  private readonly confirmTimeoutMs: number;
  private readonly log: NonNullable<SenderOptions["log"]>;
  private account?: string;
  /** The nonce the next new transaction takes (max of ours and the chain's pending nonce). */
  private nextNonce?: number;
  /** Set when the chain shows pending transactions of ours that the node would not list: send nothing until mined. */
  private blockedUntilNonce?: number;

  constructor(
    private readonly signer: Signer,
    private readonly provider: Provider,
    opts: SenderOptions = {},
  ) {
    this.fees = opts.fees ?? DEFAULT_FEES;
    this.stuckBlocks = opts.stuckBlocks ?? 3;
    this.confirmTimeoutMs = opts.confirmTimeoutMs ?? 15_000;
    this.log = opts.log ?? ((line) => console.log(line));
    this.onMined = opts.onMined;
  }

  private readonly onMined?: SenderOptions["onMined"];

  /**
   * Reads the account's state from the chain: its mined and pending nonces, and (when they differ) the pending block's
   * transactions from it, adopted as in flight. Call at start and before each pass.
   */
  async sync(): Promise<void> {
    this.account ??= await this.signer.getAddress();
    const [mined, pending] = await Promise.all([
      this.provider.getTransactionCount(this.account, "latest"),
      this.provider.getTransactionCount(this.account, "pending"),
    ]);
    // Forget what was mined (or dropped) meanwhile.
    for (const [vault, tx] of this.inFlight) if (tx.nonce < mined) this.inFlight.delete(vault);
    this.blockedUntilNonce = undefined;
    if (pending > mined) {
      const known = new Set([...this.inFlight.values()].map((t) => t.nonce));
      const missing = pending - mined - known.size;
      if (missing > 0) await this.adoptPending(mined, pending);
      const listed = new Set([...this.inFlight.values()].map((t) => t.nonce));
      for (let n = mined; n < pending; n++) {
        if (!listed.has(n)) {
          this.blockedUntilNonce = pending;
          this.log(`account ${this.account} has pending transactions (nonces ${mined}..${pending - 1}) the node does not list: sending nothing until they are mined`, { event: "blocked", level: "warn", mined, pending });
          break;
        }
      }
    }
    this.nextNonce = Math.max(pending, this.nextNonce ?? 0, ...[...this.inFlight.values()].map((t) => t.nonce + 1));
  }

  /** Adopts this account's transactions in the node's pending block as in flight (a restart finds its own sends). */
  private async adoptPending(mined: number, pending: number): Promise<void> {
    type PendingTx = { from: string; to: string | null; hash: string; nonce: number; data: string; maxFeePerGas: bigint | null; maxPriorityFeePerGas: bigint | null; gasLimit: bigint };
    let transactions: PendingTx[] = [];
    try {
      const raw = this.provider as unknown as { send?: (method: string, params: unknown[]) => Promise<unknown> };
      if (typeof raw.send === "function") {
        // Raw JSON-RPC: the pending block's transactions, as the node lists them.
        const block = (await raw.send("eth_getBlockByNumber", ["pending", true])) as { transactions?: Record<string, string>[] } | null;
        transactions = (block?.transactions ?? []).map((t) => ({
          from: t.from,
          to: t.to ?? null,
          hash: t.hash,
          nonce: Number(t.nonce),
          data: t.input ?? t.data ?? "0x",
          maxFeePerGas: t.maxFeePerGas !== undefined ? BigInt(t.maxFeePerGas) : t.gasPrice !== undefined ? BigInt(t.gasPrice) : null,
          maxPriorityFeePerGas: t.maxPriorityFeePerGas !== undefined ? BigInt(t.maxPriorityFeePerGas) : t.gasPrice !== undefined ? BigInt(t.gasPrice) : null,
          gasLimit: BigInt(t.gas ?? t.gasLimit ?? 0),
        }));
      } else {
        const block = await this.provider.getBlock("pending", true);
        transactions = (block?.prefetchedTransactions ?? []) as unknown as PendingTx[];
      }
    } catch {
      return;
    }
    const current = await this.provider.getBlockNumber();
    for (const tx of transactions) {
      if (tx.from.toLowerCase() !== this.account!.toLowerCase() || tx.nonce < mined || tx.nonce >= pending || !tx.to) continue;
      const vault = getAddress(tx.to); // nodes list addresses in lower case; the map is keyed by checksummed address
      if (this.inFlight.has(vault)) continue;
      this.inFlight.set(vault, {
        vault,
        hash: tx.hash,
        nonce: tx.nonce,
        sentAtBlock: current,
        maxFeePerGas: tx.maxFeePerGas ?? 0n,
        maxPriorityFeePerGas: tx.maxPriorityFeePerGas ?? 0n,
        gasLimit: tx.gasLimit,
        data: tx.data,
        urgency: "band",
        action: "unknown (sent before a restart)",
        replacements: 0,
      });
      this.log(`vault ${vault}: transaction ${tx.hash} (nonce ${tx.nonce}) found pending from before a restart: not sending again`, { event: "adopted", vault, tx: tx.hash, hash: tx.hash, nonce: tx.nonce });
    }
  }

  /** The in-flight transaction of `vault`, checked: mined (cleared), still pending, or replaced when stuck. */
  async checkInFlight(target: string): Promise<SendOutcome | undefined> {
    const vault = getAddress(target);
    const tx = this.inFlight.get(vault);
    if (!tx) return undefined;
    const receipt = await this.provider.getTransactionReceipt(tx.hash);
    if (receipt) {
      this.inFlight.delete(vault);
      this.onMined?.(receipt, tx.urgency);
      return { status: "mined", receipt, replaced: tx.replacements };
    }
    const mined = await this.provider.getTransactionCount(this.account!, "latest");
    if (mined > tx.nonce) {
      // Its nonce was used by another of our transactions (an earlier replacement, mined): nothing in flight.
      this.inFlight.delete(vault);
      return undefined;
    }
    const block = await this.provider.getBlock("latest");
    const waited = block!.number - tx.sentAtBlock;
    if (waited < this.stuckBlocks) {
      return { status: "pending", hash: tx.hash, replaced: tx.replacements };
    }
    const base = block!.baseFeePerGas ?? 0n;
    const cap = this.fees.maxFee[tx.urgency] > tx.maxFeePerGas ? this.fees.maxFee[tx.urgency] : tx.maxFeePerGas;
    let maxFee = bump(tx.maxFeePerGas);
    if (2n * base + this.fees.tip[tx.urgency] > maxFee) maxFee = 2n * base + this.fees.tip[tx.urgency];
    if (maxFee > cap) maxFee = cap;
    let tip = bump(tx.maxPriorityFeePerGas);
    if (tip > maxFee) tip = maxFee;
    if (maxFee < bump(tx.maxFeePerGas) || tip < bump(tx.maxPriorityFeePerGas)) {
      this.log(
        `vault ${vault}: ${tx.hash} stuck for ${waited} blocks but its max fee ${gwei(tx.maxFeePerGas)} cannot be bumped within the ${tx.urgency} cap ${gwei(cap)}: waiting`,
        { event: "stuck-at-cap", level: "warn", vault, tx: tx.hash, hash: tx.hash, blocks: waited },
      );
      return { status: "pending", hash: tx.hash, replaced: tx.replacements };
    }
    const sent = await this.signer.sendTransaction({
      to: vault,
      data: tx.data,
      nonce: tx.nonce,
      gasLimit: tx.gasLimit,
      maxFeePerGas: maxFee,
      maxPriorityFeePerGas: tip,
      type: 2,
    });
    this.log(
      `vault ${vault}: ${tx.hash} not mined after ${waited} blocks (base fee ${gwei(base)}, its max fee ${gwei(tx.maxFeePerGas)}): ` +
        `replaced by ${sent.hash}, same nonce ${tx.nonce}, max fee ${gwei(maxFee)}, tip ${gwei(tip)}`,
      { event: "replaced", level: "warn", vault, tx: sent.hash, old: tx.hash, hash: sent.hash, nonce: tx.nonce, maxFeePerGas: maxFee.toString(), baseFee: base.toString() },
    );
    Object.assign(tx, { hash: sent.hash, sentAtBlock: block!.number, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, replacements: tx.replacements + 1 });
    return this.await(vault, tx);
  }

  /** True when a new transaction may be sent for `vault` (none in flight, nothing unknown pending). */
  canSend(target: string): boolean {
    const vault = getAddress(target);
    return !this.inFlight.has(vault) && this.blockedUntilNonce === undefined;
  }

  /**
   * Sends `data` to `vault` with the fees of `urgency`; waits up to the confirm timeout. Waits (sends nothing) when the
   * cap is below the base fee, when a transaction of this vault is in flight, or when unknown ones are pending.
   */
  async send(target: string, data: string, gasLimit: bigint, urgency: Urgency, action: string): Promise<SendOutcome> {
    const vault = getAddress(target);
    if (this.nextNonce === undefined) await this.sync();
    if (this.blockedUntilNonce !== undefined) return { status: "waiting", reason: "earlier transactions of this account are pending" };
    if (this.inFlight.has(vault)) return { status: "waiting", reason: `transaction ${this.inFlight.get(vault)!.hash} in flight` };
    const block = await this.provider.getBlock("latest");
    const base = block!.baseFeePerGas ?? 0n;
    const cap = this.fees.maxFee[urgency];
    if (cap < base) {
      return { status: "waiting", reason: `the ${urgency} max fee ${gwei(cap)} is below the base fee ${gwei(base)}` };
    }
    let tip = this.fees.tip[urgency];
    let maxFee = 2n * base + tip;
    if (maxFee > cap) maxFee = cap;
    if (tip > maxFee - base) tip = maxFee - base;
    const nonce = this.nextNonce!;
    const sent = await this.signer.sendTransaction({ to: vault, data, nonce, gasLimit, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, type: 2 });
    this.nextNonce = nonce + 1;
    const tx: InFlight = { vault, hash: sent.hash, nonce, sentAtBlock: block!.number, maxFeePerGas: maxFee, maxPriorityFeePerGas: tip, gasLimit, data, urgency, action, replacements: 0 };
    this.inFlight.set(vault, tx);
    this.log(`vault ${vault}: ${action} sent ${sent.hash} (nonce ${nonce}, ${urgency}: max fee ${gwei(maxFee)}, tip ${gwei(tip)}, base fee ${gwei(base)})`, {
      event: "sent",
      vault,
      action,
      tx: sent.hash,
      hash: sent.hash,
      nonce,
      urgency,
      maxFeePerGas: maxFee.toString(),
      baseFee: base.toString(),
    });
    return this.await(vault, tx);
  }

  private async await(vault: string, tx: InFlight): Promise<SendOutcome> {
    // Polled (Hardhat's ethers provider has no waitForTransaction); with automine the first read finds it.
    const deadline = Date.now() + this.confirmTimeoutMs;
    let receipt = await this.provider.getTransactionReceipt(tx.hash);
    while (!receipt && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(250, deadline - Date.now())));
      receipt = await this.provider.getTransactionReceipt(tx.hash);
    }
    if (!receipt) return { status: "pending", hash: tx.hash, replaced: tx.replacements };
    this.inFlight.delete(vault);
    this.onMined?.(receipt, tx.urgency);
    return { status: "mined", receipt, replaced: tx.replacements };
  }
}
