/**
 * The keeper bot. One pass reads every vault's decision in one go, then acts only on the vaults that need it:
 *
 * - Scan: through the KeeperLens (`opts.lens`; scripts/lib/keeper/keeper-scan.ts `scanAll`): a few `eth_call`s for the
 *   whole registry, every page pinned to one block. Without a lens it falls back to one `trigger()` call per vault.
 * - Act, for each vault whose decision is `needed`: `rebalance()` when the signer is allow-listed (setKeeper), or
 *   the permissionless `ripcord()` when a rebalance was not possible and the health factor is below critical
 *   (`position()` / `automationConfig()` are read for those vaults only). Every call is simulated first
 *   (`staticCall` on the pending block): a call the vault would refuse is logged, not sent. The scan reads the
 *   latest block, whose timestamp is already in the past for the next one, so around a cooldown or oracle-staleness
 *   boundary the decision and the next block can disagree; the simulation is what catches it. A stop-loss larger
 *   than `maxTradeSize` unwinds over several calls: after each, the vault's own `trigger()` says whether more is due.
 *
 * The contract decides what and how much; the bot only decides when. A vault that fails (stale oracle, not a vault,
 * guard refused, RPC error) is logged with its error and the pass goes on.
 */
import { getAddress, type Interface, type Provider, type Signer, type TransactionReceipt } from "ethers";
import type { IKeeperLens, ILeveredVault, IVaultRegistry } from "../../../typechain-types";
import type { Ethers } from "../market/market";
import { actionName, describeError, gas, hf, lev, revertData, units } from "../util/format";
import { scanAll } from "./keeper-scan";
import { urgencyOf, type KeeperSender } from "./keeper-sender";
import { KeeperMetrics } from "./keeper-metrics";
import { apr, refinanceDue, refinanceState, VENUE_KIND } from "../vault/refinance";
import { pendingValidity } from "../vault/governance";

export interface KeeperAction {
  vault: string;
  /** The function called. */
  call: "rebalance" | "ripcord";
  /** What the vault did (ActionExecuted), or what the simulation / the trigger announced if the call failed. */
  action: string;
  ok: boolean;
  /** The simulation (staticCall) reverted: nothing was sent. */
  notSent?: boolean;
  /** Dry run: the simulation passed and nothing was sent; `gasUsed` is the estimate. */
  dryRun?: boolean;
  /** Sent, not mined yet (left in flight: checked, and replaced if stuck, on the next passes). */
  pending?: boolean;
  /** Not sent: why it waits (fee cap below the base fee, a transaction of this vault in flight...). */
  waiting?: string;
  /** Times the transaction was replaced with bumped fees before it was mined. */
  replaced?: number;
  gasUsed?: bigint;
  txHash?: string;
  leverageBefore?: bigint;
  leverageAfter?: bigint;
  healthFactorBefore?: bigint;
  healthFactorAfter?: bigint;
  /** The trailing stop's new high-water mark (HighWaterMarkRaised), wad debt per collateral: what a Poke does. */
  highWaterMark?: bigint;
  /** Collateral paid to the ripcord caller. */
  reward?: bigint;
  /** Collateral the vault paid this keeper for its gas (KeeperPaid, issue 21), in the vault's asset units. */
  paid?: bigint;
  /** What the mined transaction cost the keeper: gas used x effective gas price (wei of the gas token). */
  gasCost?: bigint;
  error?: string;
}

export interface VaultFailure {
  vault: string;
  error: string;
  /** The revert selector the lens reported for its trigger() ("0x00000000": none); absent without a lens. */
  selector?: string;
}

export interface KeeperPassResult {
  /** Vaults in the registry whose decision was read (failed ones included). */
  scanned: number;
  /** How decisions were read: KeeperLens pages, or one trigger() call per vault (no lens). */
  via: "lens" | "trigger";
  /** Block every decision was read on (lens scan only). */
  blockNumber?: number;
  /** Requests the scan took: lens pages, or registry reads plus one trigger() per vault. */
  scanCalls: number;
  /** Vaults whose decision was `needed`. */
  due: number;
  actions: KeeperAction[];
  failures: VaultFailure[];
  /** Due vaults where nothing was done: not allow-listed (and no ripcord), simulation refused, reverted, or waiting. */
  blocked: { vault: string; action: string; reason: string }[];
  /** Accepted venue moves (`refinanceGapBps` given): a pending move executed, or simulated in a dry run. */
  refinances: RefinanceAction[];
}

/** A pending `ChangeKind.Venue` the bot executed because the destination borrows cheaper (see `refinanceDue`). */
export interface RefinanceAction {
  vault: string;
  from: string;
  to: string;
  /** Borrow rates, wad per year, before the move: the current venue's and the destination's. */
  rateFrom: bigint;
  rateTo: bigint;
  ok: boolean;
  dryRun?: boolean;
  gasUsed?: bigint;
  txHash?: string;
  error?: string;
}

/**
 * `keeper:run --once` exit codes (documented in the README): 0 every due action done (or none due); 2 a due action
 * was blocked (signer not allow-listed, simulation refused, reverted, waiting on the fee cap); 3 a vault could not be
 * read (stale oracle, not a vault, RPC error on it); 4 the registry could not be scanned at all (RPC down).
 * 1 is Hardhat's own: a bad argument or a failed start-up check.
 */
export const KEEPER_EXIT = { ok: 0, blocked: 2, unreadable: 3, scanFailed: 4 } as const;

/** The exit code of a `--once` pass (see KEEPER_EXIT); unreadable vaults outrank blocked actions. */
export function passExitCode(pass: KeeperPassResult): number {
  if (pass.failures.length > 0) return KEEPER_EXIT.unreadable;
  if (pass.blocked.length > 0) return KEEPER_EXIT.blocked;
  return KEEPER_EXIT.ok;
}

export interface KeeperOptions {
  /** KeeperLens address; without it the pass calls every vault's trigger() itself. */
  lens?: string;
  /** Calls per vault and pass (a stop-loss unwinds in chunks of maxTradeSize), default 10. */
  maxActionsPerVault?: number;
  /** Vaults per lens `eth_call`, or per registry page without a lens; default 100. */
  pageSize?: number;
  /** Simulate every due action and estimate its gas, send nothing. */
  dryRun?: boolean;
  /** Fees per urgency, nonces, in-flight transactions (keeper:run); without it a call is sent and awaited as is. */
  sender?: KeeperSender;
  metrics?: KeeperMetrics;
  /** Reads (scan, trigger, position) through this provider instead of the Hardhat one (e.g. a FallbackProvider). */
  provider?: Provider;
  /**
   * Also execute each vault's accepted venue move (IVaultRefinance: proposed by the owner, out of its timelock) once
   * the destination's borrow rate is at least this many bps a year under the current venue's; off when undefined.
   */
  refinanceGapBps?: number;
  log?: (line: string, fields?: Record<string, unknown>) => void;
}

const short = (address: string) => `${address.slice(0, 8)}…${address.slice(-4)}`;
const NO_REVERT_DATA = "0x00000000";

/**
 * A failed trigger()'s revert selector, as the lens reports it, named from the vault's ABI (the lens keeps only the
 * selector, not the arguments): e.g. `OracleStale(address,uint256,uint256)`.
 */
export function describeTriggerFailure(vaultInterface: Interface, selector: string): string {
  if (selector === NO_REVERT_DATA) {
    return "no revert data (no contract or no trigger(), out of the lens's gas allowance, or a malformed answer)";
  }
  try {
    const fragment = vaultInterface.getError(selector);
    if (fragment) return fragment.format("sighash");
  } catch {
    // not in the ABI
  }
  return `unknown error ${selector}`;
}

/** What happened to an action, as log fields: event, level, vault, call, action, outcome, tx, gas, error. */
export function actionFields(a: KeeperAction): Record<string, unknown> {
  const outcome = a.dryRun ? "dry_run" : a.ok ? "mined" : a.pending ? "pending" : a.waiting ? "waiting" : a.notSent ? "not_sent" : "failed";
  return {
    event: "action",
    level: a.ok || a.pending ? "info" : "warn",
    vault: a.vault,
    call: a.call,
    action: a.action,
    outcome,
    tx: a.txHash,
    gas: a.gasUsed,
    error: a.error ?? a.waiting,
    leverageBefore: a.leverageBefore,
    leverageAfter: a.leverageAfter,
    healthFactorBefore: a.healthFactorBefore,
    healthFactorAfter: a.healthFactorAfter,
    replaced: a.replaced,
    reward: a.reward,
    paid: a.paid,
    gasCost: a.gasCost,
  };
}

function describeAction(a: KeeperAction): string {
  const head = `vault ${short(a.vault)} ${a.call}() ${a.action}`;
  if (a.notSent) return `${head} not sent: simulation reverted ${a.error}`;
  if (a.dryRun) return `${head} would be sent (dry run): simulation passed, gas ~${gas(a.gasUsed!)}`;
  if (a.waiting) return `${head} waits: ${a.waiting}`;
  if (a.pending) return `${head} sent, not mined yet (tx ${a.txHash}): in flight, checked on the next pass`;
  if (!a.ok) return `${head} FAILED: ${a.error}`;
  let move = "";
  if (a.action === "Poke" && a.highWaterMark !== undefined) {
    move = `, high-water mark raised to ${units(a.highWaterMark, 18, 2)}`;
  } else if (a.leverageBefore !== undefined) {
    move = ` lev ${lev(a.leverageBefore)} -> ${lev(a.leverageAfter!)}, HF ${hf(a.healthFactorBefore!)} -> ${hf(a.healthFactorAfter!)}`;
  }
  const reward = a.reward !== undefined ? `, reward ${units(a.reward)} collateral` : "";
  // Keeper pay (issue 21): shown when the vault paid; the JSON fields carry gasCost on every mined action.
  const pay = a.paid !== undefined ? `, spent ${units(a.gasCost ?? 0n, 18, 6)} gas token, paid ${units(a.paid, 18, 6)} collateral` : "";
  const replaced = a.replaced ? `, after ${a.replaced} fee bump(s)` : "";
  return `${head}: gas ${gas(a.gasUsed!)}${move}${reward}${pay} (tx ${a.txHash}${replaced})`;
}

/** Fills the action's outcome from the vault's ActionExecuted / HighWaterMarkRaised / RipcordRewardPaid events. */
function readEvents(vault: ILeveredVault, receipt: Pick<TransactionReceipt, "logs"> & Partial<Pick<TransactionReceipt, "gasUsed" | "gasPrice">>, into: KeeperAction): void {
  if (receipt.gasUsed !== undefined && receipt.gasPrice !== undefined) into.gasCost = receipt.gasUsed * receipt.gasPrice;
  for (const log of receipt.logs) {
    let parsed;
    try {
      parsed = vault.interface.parseLog(log);
    } catch {
      continue;
    }
    if (parsed?.name === "ActionExecuted") {
      into.action = actionName(parsed.args.action);
      into.leverageBefore = parsed.args.leverageBefore;
      into.leverageAfter = parsed.args.leverageAfter;
      into.healthFactorBefore = parsed.args.healthFactorBefore;
      into.healthFactorAfter = parsed.args.healthFactorAfter;
    } else if (parsed?.name === "HighWaterMarkRaised") {
      into.highWaterMark = parsed.args.highWaterMark;
    } else if (parsed?.name === "RipcordRewardPaid") {
      into.reward = parsed.args.assets;
    } else if (parsed?.name === "KeeperPaid") {
      into.paid = parsed.args.assets;
    }
  }
}

/**
 * Simulates the call on the pending block (the block the transaction would land in), then sends it. A simulated
 * revert is returned with `notSent`; nothing is broadcast.
 */
async function attempt(
  vault: ILeveredVault,
  call: "rebalance" | "ripcord",
  announced: string,
  dryRun = false,
  sender?: KeeperSender,
): Promise<KeeperAction> {
  const result: KeeperAction = { vault: vault.target as string, call, action: announced, ok: false };
  try {
    if (call === "rebalance") result.action = actionName(await vault.rebalance.staticCall({ blockTag: "pending" }));
    else await vault.ripcord.staticCall({ blockTag: "pending" });
    if (dryRun) {
      result.gasUsed = await (call === "rebalance" ? vault.rebalance : vault.ripcord).estimateGas();
      return { ...result, ok: true, dryRun: true };
    }
  } catch (error) {
    result.notSent = true;
    result.error = describeError(error, vault.interface);
    return result;
  }
  if (sender) return sendThrough(sender, vault, call, result);
  try {
    // Sending estimates gas again: a state change between simulation and send still fails here, not on chain.
    const tx = await (call === "rebalance" ? vault.rebalance() : vault.ripcord());
    const receipt = (await tx.wait())!;
    result.ok = true;
    result.gasUsed = receipt.gasUsed;
    result.txHash = receipt.hash;
    readEvents(vault, receipt, result);
  } catch (error) {
    result.error = describeError(error, vault.interface);
  }
  return result;
}

/** Sends a simulated call through the sender (fees per urgency, nonce, in flight); fills `result` from the outcome. */
async function sendThrough(sender: KeeperSender, vault: ILeveredVault, call: "rebalance" | "ripcord", result: KeeperAction): Promise<KeeperAction> {
  try {
    const estimate = await (call === "rebalance" ? vault.rebalance : vault.ripcord).estimateGas();
    const data = call === "rebalance" ? vault.interface.encodeFunctionData("rebalance") : vault.interface.encodeFunctionData("ripcord");
    const outcome = await sender.send(result.vault, data, estimate + estimate / 5n, urgencyOf(result.action, call), result.action);
    return outcomeInto(vault, outcome, result);
  } catch (error) {
    result.error = describeError(error, vault.interface);
    return result;
  }
}

function outcomeInto(vault: ILeveredVault, outcome: Awaited<ReturnType<KeeperSender["send"]>>, result: KeeperAction): KeeperAction {
  if (outcome.status === "waiting") {
    result.waiting = outcome.reason;
  } else if (outcome.status === "pending") {
    result.pending = true;
    result.txHash = outcome.hash;
    result.replaced = outcome.replaced;
  } else {
    result.txHash = outcome.receipt.hash;
    result.gasUsed = outcome.receipt.gasUsed;
    result.replaced = outcome.replaced;
    result.ok = outcome.receipt.status === 1;
    if (result.ok) readEvents(vault, outcome.receipt, result);
    else result.error = "reverted on chain";
  }
  return result;
}

/**
 * Runs every due action on one vault whose decision was `announced` (several calls for chunked unwinds): rebalance()
 * if the signer is a keeper, or for the health deleverage between the critical HF and the floor (anyone's), else (or
 * if that is refused) ripcord() when HF < critical. Throws only if isKeeper()
 * cannot be read; a later read error ends the vault's turn (logged), keeping what was done.
 */
export async function serviceVault(
  vault: ILeveredVault,
  signer: Signer,
  announced: bigint,
  opts: KeeperOptions = {},
): Promise<KeeperAction[]> {
  const log = opts.log ?? console.log;
  const me = await signer.getAddress();
  const connected = vault.connect(signer) as ILeveredVault;
  const sender = opts.dryRun ? undefined : opts.sender;
  const target = getAddress(vault.target as string);
  const isKeeper = await vault.isKeeper(me);
  let critical: bigint | undefined;
  const actions: KeeperAction[] = [];
  const name = short(vault.target as string);
  if (sender?.inFlight.has(target)) {
    // One transaction in flight per vault: see what became of it (mined, still pending, replaced if stuck).
    const previous = sender.inFlight.get(target)!;
    const outcome = await sender.checkInFlight(target);
    if (outcome) {
      const done = outcomeInto(vault, outcome, { vault: target, call: "rebalance", action: previous.action, ok: false });
      actions.push(done);
      log(describeAction(done), { ...actionFields(done), event: "in-flight", status: outcome.status });
      if (outcome.status !== "mined") return actions;
    }
  }
  /** A read after the first attempt: on error, logged and undefined (the vault's turn ends). */
  const read = async <T>(what: string, get: () => Promise<T>): Promise<T | undefined> => {
    try {
      return await get();
    } catch (error) {
      const message = describeError(error, vault.interface);
      log(`vault ${name} stopped: ${what} failed: ${message}`, { event: "vault-stopped", level: "warn", vault: target, read: what, error: message });
      return undefined;
    }
  };
  for (let i = 0; i < (opts.maxActionsPerVault ?? 10); i++) {
    if (i > 0) {
      // More to do (a chunked unwind)? Asked of the vault itself, on the block the next call would land in.
      const next = await read("trigger()", () => vault.trigger({ blockTag: "pending" }));
      if (!next?.needed) break;
      announced = next.action;
    }
    let done: KeeperAction | undefined;
    // Whether the health factor is below the critical HF, read at most once per call (undefined: a read failed).
    let belowCritical: Promise<boolean | undefined> | undefined;
    const isBelowCritical = () =>
      (belowCritical ??= (async () => {
        critical ??= await read("automationConfig()", async () => (await vault.automationConfig()).criticalHealthFactor);
        if (critical === undefined) return undefined;
        const healthFactor = await read("position()", async () => (await vault.position()).healthFactor);
        return healthFactor === undefined ? undefined : healthFactor < critical;
      })());
    // Below the health-factor floor anyone may run the health deleverage (IVaultKeeper.rebalance, ROLE-2 (b)); below
    // the critical HF the ripcord (rewarded, aimed at the health-restoring leverage) is the non-keeper's call.
    let anyone = false;
    if (!isKeeper && actionName(announced) === "DeleverHealth") {
      const below = await isBelowCritical();
      if (below === undefined) break;
      anyone = !below;
    }
    if (isKeeper || anyone) {
      done = await attempt(connected, "rebalance", actionName(announced), opts.dryRun, sender);
      actions.push(done);
      log(describeAction(done), actionFields(done));
    } else if (i === 0) {
      log(`vault ${name} ${actionName(announced)} due, but ${short(me)} is not an allow-listed keeper`, {
        event: "not-allow-listed",
        level: "warn",
        vault: target,
        action: actionName(announced),
        keeper: me,
      });
    }
    if (done?.pending || done?.waiting) break; // in flight or waiting: no ripcord on top of it
    if (!done?.ok) {
      // Read only for the vaults a rebalance could not serve (a refused rebalance left the position as it was).
      const below = await isBelowCritical();
      if (below === undefined) break;
      if (below) {
        done = await attempt(connected, "ripcord", "Ripcord", opts.dryRun, sender);
        actions.push(done);
        log(describeAction(done), actionFields(done));
      }
    }
    // A dry run changes nothing: the next chunk would be the same call again.
    if (!done?.ok || done.dryRun) break;
  }
  return actions;
}

interface Decision {
  vault: string;
  needed: boolean;
  action: bigint;
}

interface Scan {
  decisions: Decision[];
  failures: VaultFailure[];
  scanned: number;
  calls: number;
  blockNumber?: number;
}

/**
 * Every decision from KeeperLens pages (see scanAll): failed vaults become failures. The lens keeps only the revert
 * selector, so each failed vault's trigger() is called once more (at the scan's block) to decode the error with its
 * arguments, e.g. `OracleStale(feed=0x..., updatedAt=..., heartbeat=3600)`; if that call answers differently, the
 * selector is named from the vault's ABI.
 */
/** A contract connected to the reading provider (the Hardhat one unless `reader` is given). */
async function at<T>(ethers: Ethers, name: string, address: string, reader?: Provider): Promise<T> {
  return (await ethers.getContractAt(name, address)).connect(reader ?? ethers.provider) as unknown as T;
}

async function scanWithLens(ethers: Ethers, lensAddress: string, registryAddress: string, pageSize: number, reader?: Provider): Promise<Scan> {
  const lens = await at<IKeeperLens>(ethers, "IKeeperLens", lensAddress, reader);
  const scan = await scanAll(lens, registryAddress, { batchSize: pageSize });
  const failed = scan.decisions.filter((d) => d.failed);
  const vaultInterface = failed.length ? (await ethers.getContractAt("ILeveredVault", failed[0].vault)).interface : undefined;
  return {
    decisions: scan.decisions.filter((d) => !d.failed).map((d) => ({ vault: d.vault, needed: d.needed, action: BigInt(d.action) })),
    failures: await Promise.all(
      failed.map(async (d) => {
        let error = describeTriggerFailure(vaultInterface!, d.errorSelector);
        if (d.errorSelector !== NO_REVERT_DATA) {
          const vault = await at<ILeveredVault>(ethers, "ILeveredVault", d.vault, reader);
          try {
            await vault.trigger({ blockTag: scan.blockNumber });
          } catch (reason) {
            const data = revertData(reason);
            if (data?.slice(0, 10) === d.errorSelector) error = describeError(reason, vault.interface);
          }
        }
        return { vault: d.vault, error, selector: d.errorSelector };
      }),
    ),
    scanned: scan.decisions.length,
    calls: scan.calls,
    blockNumber: scan.blockNumber,
  };
}

/** Without a lens: the registry's pages, then each vault's trigger() (the vaults of a page together). */
async function scanWithTriggers(ethers: Ethers, registryAddress: string, pageSize: number, reader?: Provider): Promise<Scan> {
  const registry = await at<IVaultRegistry>(ethers, "IVaultRegistry", registryAddress, reader);
  const count = await registry.vaultCount();
  const scan: Scan = { decisions: [], failures: [], scanned: 0, calls: 1 };
  for (let offset = 0n; offset < count; offset += BigInt(pageSize)) {
    const page = await registry.vaults(offset, pageSize);
    scan.calls += 1 + page.length;
    const answers = await Promise.all(
      page.map(async (address): Promise<Decision | VaultFailure> => {
        const vault = await at<ILeveredVault>(ethers, "ILeveredVault", address, reader);
        try {
          const { needed, action } = await vault.trigger();
          return { vault: address, needed, action };
        } catch (error) {
          return { vault: address, error: describeError(error, vault.interface) };
        }
      }),
    );
    for (const answer of answers) {
      if ("error" in answer) scan.failures.push(answer);
      else scan.decisions.push(answer);
    }
    scan.scanned += page.length;
  }
  return scan;
}

/** One pass over the whole registry: one scan, then the due vaults only (see the file comment). */
export async function keeperPass(
  ethers: Ethers,
  registryAddress: string,
  signer: Signer,
  opts: KeeperOptions = {},
): Promise<KeeperPassResult> {
  const log = opts.log ?? console.log;
  const pageSize = opts.pageSize ?? 100;
  const scan = opts.lens
    ? await scanWithLens(ethers, opts.lens, registryAddress, pageSize, opts.provider)
    : await scanWithTriggers(ethers, registryAddress, pageSize, opts.provider);
  const due = scan.decisions.filter((d) => d.needed);
  const result: KeeperPassResult = {
    scanned: scan.scanned,
    via: opts.lens ? "lens" : "trigger",
    blockNumber: scan.blockNumber,
    scanCalls: scan.calls,
    due: due.length,
    actions: [],
    failures: [...scan.failures],
    blocked: [],
    refinances: [],
  };
  const metrics = opts.metrics;
  for (const failure of scan.failures) {
    metrics?.failures.inc({ error: KeeperMetrics.errorName(failure.error) });
    const selector = failure.selector && failure.selector !== NO_REVERT_DATA ? ` [${failure.selector}]` : "";
    log(`vault ${short(failure.vault)} skipped: ${failure.error}${selector}`, {
      event: "skipped",
      level: "warn",
      vault: failure.vault,
      error: failure.error,
      selector: failure.selector,
    });
  }
  for (const decision of due) {
    try {
      const vault = await at<ILeveredVault>(ethers, "ILeveredVault", decision.vault, opts.provider);
      const done = await serviceVault(vault, signer, decision.action, opts);
      result.actions.push(...done);
      if (!done.some((a) => a.ok || a.pending)) {
        const last = done[done.length - 1];
        result.blocked.push({
          vault: decision.vault,
          action: actionName(decision.action),
          reason: last ? (last.error ?? last.waiting ?? "not done") : "signer is not an allow-listed keeper and no ripcord is armed",
        });
      }
    } catch (error) {
      const failure = { vault: decision.vault, error: describeError(error) };
      result.failures.push(failure);
      metrics?.failures.inc({ error: KeeperMetrics.errorName(failure.error) });
      log(`vault ${short(decision.vault)} skipped: ${failure.error}`, { event: "skipped", level: "warn", vault: decision.vault, error: failure.error });
    }
  }
  if (opts.refinanceGapBps !== undefined) {
    for (const decision of scan.decisions) {
      const done = await refinanceVault(ethers, decision.vault, signer, opts.refinanceGapBps, opts).catch((error) => {
        const failure = { vault: decision.vault, error: describeError(error) };
        result.failures.push(failure);
        log(`vault ${short(decision.vault)} refinance check failed: ${failure.error}`, { event: "skipped", level: "warn", ...failure });
        return undefined;
      });
      if (done) result.refinances.push(done);
    }
  }
  for (const a of result.actions) {
    const outcome = a.dryRun ? "dry_run" : a.ok ? "mined" : a.pending ? "pending" : a.waiting ? "waiting" : a.notSent ? "not_sent" : "failed";
    metrics?.actions.inc({ call: a.call, action: a.action, outcome });
    if (a.gasCost !== undefined) metrics?.gasSpent.inc({ vault: a.vault }, Number(a.gasCost));
    if (a.paid !== undefined) metrics?.gasPaid.inc({ vault: a.vault }, Number(a.paid));
    if (a.error) metrics?.failures.inc({ error: KeeperMetrics.errorName(a.error) });
  }
  if (opts.sender) metrics?.inFlight.set(opts.sender.inFlight.size);
  const ok = result.actions.filter((a) => a.ok && !a.dryRun).length;
  const simulated = result.actions.filter((a) => a.dryRun).length;
  const inFlight = result.actions.filter((a) => a.pending || a.waiting).length;
  const how =
    result.via === "lens"
      ? `KeeperLens scan, ${result.scanCalls} eth_call(s) at block ${result.blockNumber}`
      : `${result.scanCalls} call(s), one trigger() per vault`;
  log(
    `pass: ${result.scanned} vault(s), ${ok} action(s) done, ${simulated ? `${simulated} simulated (dry run), ` : ""}` +
      `${inFlight ? `${inFlight} in flight or waiting, ` : ""}${result.actions.length - ok - simulated - inFlight} refused, ${result.failures.length} unreadable; ${result.due} due (${how})`,
    {
      event: "pass",
      level: result.failures.length || result.blocked.length ? "warn" : "info",
      vaults: result.scanned,
      due: result.due,
      done: ok,
      simulated,
      inFlight,
      refused: result.actions.length - ok - simulated - inFlight,
      unreadable: result.failures.length,
      blocked: result.blocked.length,
      via: result.via,
      block: result.blockNumber,
      scanCalls: result.scanCalls,
    },
  );
  return result;
}

/**
 * Executes the vault's pending venue move when it is acceptable and the destination borrows at least `gapBps` a year
 * cheaper (simulated first; only simulated in a dry run); undefined when nothing is due. Vaults not behind a proxy
 * answer `venueImplementation() = 0` and are skipped.
 */
async function refinanceVault(ethers: Ethers, address: string, signer: Signer, gapBps: number, opts: KeeperOptions): Promise<RefinanceAction | undefined> {
  const log = opts.log ?? console.log;
  const reader = await at<ILeveredVault>(ethers, "ILeveredVault", address, opts.provider);
  const block = await reader.runner!.provider!.getBlock("latest");
  const state = await refinanceState(reader, block!.timestamp, await pendingValidity(reader));
  if (!refinanceDue(state, gapBps)) return undefined;
  const { current, pending } = state as Required<typeof state>;
  const vault = reader.connect(signer) as ILeveredVault;
  const move: RefinanceAction = {
    vault: address,
    from: current.venue,
    to: pending.destination.venue,
    rateFrom: current.borrowRate,
    rateTo: pending.destination.borrowRate,
    ok: false,
  };
  const what = `vault ${short(address)} refinance ${move.from} (${apr(move.rateFrom)}) -> ${move.to} (${apr(move.rateTo)})`;
  try {
    await vault.acceptChange.staticCall(VENUE_KIND);
    if (opts.dryRun) {
      move.gasUsed = await vault.acceptChange.estimateGas(VENUE_KIND);
      Object.assign(move, { ok: true, dryRun: true });
    } else {
      const receipt = (await (await vault.acceptChange(VENUE_KIND)).wait())!;
      Object.assign(move, { ok: receipt.status === 1, gasUsed: receipt.gasUsed, txHash: receipt.hash });
    }
  } catch (error) {
    move.error = describeError(error, vault.interface);
  }
  log(`${what}: ${move.error ? `refused: ${move.error}` : move.dryRun ? `would pass, gas ~${gas(move.gasUsed!)} (dry run)` : `done, gas ${gas(move.gasUsed!)}`}`, {
    event: "refinance",
    level: move.error ? "warn" : "info",
    ...move,
  });
  return move;
}

/** Scans every `intervalSeconds` until `shouldStop()` (default: forever); `once` runs a single pass. */
export async function runKeeper(
  ethers: Ethers,
  registryAddress: string,
  signer: Signer,
  opts: KeeperOptions & {
    intervalSeconds?: number;
    once?: boolean;
    shouldStop?: () => boolean;
    /** Before each pass (e.g. the keeper's ETH balance check); an error here is logged, not fatal. */
    beforePass?: () => Promise<void>;
  } = {},
): Promise<KeeperPassResult[]> {
  const log = opts.log ?? console.log;
  const passes: KeeperPassResult[] = [];
  for (;;) {
    opts.metrics?.scans.inc();
    try {
      // The account's nonces and pending transactions, read back from the chain (a restart finds its own sends).
      if (opts.beforePass) await opts.beforePass().catch((error) => log(`balance check failed: ${describeError(error)}`, { event: "balance", level: "warn", error: describeError(error) }));
      if (opts.sender && !opts.dryRun) await opts.sender.sync();
      const pass = await keeperPass(ethers, registryAddress, signer, opts);
      passes.push(pass);
      opts.metrics?.scanSucceeded(pass.scanned);
    } catch (error) {
      // The registry itself could not be read (RPC down...): a long-running bot waits and tries again.
      opts.metrics?.scanFailures.inc();
      if (opts.once) throw error;
      log(`pass failed: ${describeError(error)}`, { event: "pass-failed", level: "error", error: describeError(error) });
    }
    // Sleep in short slices so that a stop request (Ctrl-C) ends the bot within a second.
    const wakeAt = Date.now() + (opts.intervalSeconds ?? 60) * 1000;
    while (!opts.once && !opts.shouldStop?.() && Date.now() < wakeAt) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, wakeAt - Date.now())));
    }
    if (opts.once || opts.shouldStop?.()) return passes;
  }
}
