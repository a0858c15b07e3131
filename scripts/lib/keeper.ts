/**
 * The keeper bot: scans every vault in a registry, asks each `trigger()`, and calls `rebalance()` where an action is
 * due (the signer must be allow-listed with setKeeper) or the permissionless `ripcord()` where the health factor is
 * below critical and a rebalance was not possible. The contract decides what and how much; the bot only decides
 * when. A vault that fails (stale oracle, guard refused, RPC error) is logged and the scan goes on.
 */
import type { ContractTransactionReceipt, Signer } from "ethers";
import type { ILeveredVault, IVaultRegistry } from "../../typechain-types";
import type { Ethers } from "./market";
import { actionName, describeError, gas, hf, lev, units } from "./format";

export interface KeeperAction {
  vault: string;
  /** The function called. */
  call: "rebalance" | "ripcord";
  /** What the vault did (ActionExecuted), or what trigger() announced if the call failed. */
  action: string;
  ok: boolean;
  gasUsed?: bigint;
  txHash?: string;
  leverageBefore?: bigint;
  leverageAfter?: bigint;
  healthFactorBefore?: bigint;
  healthFactorAfter?: bigint;
  /** Collateral paid to the ripcord caller. */
  reward?: bigint;
  error?: string;
}

export interface VaultFailure {
  vault: string;
  error: string;
}

export interface KeeperPassResult {
  scanned: number;
  actions: KeeperAction[];
  failures: VaultFailure[];
}

export interface KeeperOptions {
  /** Calls per vault and pass (a stop-loss unwinds in chunks of maxTradeSize), default 10. */
  maxActionsPerVault?: number;
  /** Registry page size, default 100. */
  pageSize?: number;
  log?: (line: string) => void;
}

const short = (address: string) => `${address.slice(0, 8)}…${address.slice(-4)}`;

function describeAction(a: KeeperAction): string {
  const head = `vault ${short(a.vault)} ${a.call}() ${a.action}`;
  if (!a.ok) return `${head} FAILED: ${a.error}`;
  const move =
    a.leverageBefore !== undefined
      ? ` lev ${lev(a.leverageBefore)} -> ${lev(a.leverageAfter!)}, HF ${hf(a.healthFactorBefore!)} -> ${hf(a.healthFactorAfter!)}`
      : "";
  const reward = a.reward !== undefined ? `, reward ${units(a.reward)} collateral` : "";
  return `${head}: gas ${gas(a.gasUsed!)}${move}${reward} (tx ${a.txHash})`;
}

/** Fills the action's outcome from the vault's ActionExecuted / RipcordRewardPaid events. */
function readEvents(vault: ILeveredVault, receipt: ContractTransactionReceipt, into: KeeperAction): void {
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
    } else if (parsed?.name === "RipcordRewardPaid") {
      into.reward = parsed.args.assets;
    }
  }
}

async function send(
  vault: ILeveredVault,
  call: "rebalance" | "ripcord",
  announced: string,
): Promise<KeeperAction> {
  const result: KeeperAction = { vault: vault.target as string, call, action: announced, ok: false };
  try {
    // Sending estimates gas first: a call the vault would refuse fails here, before anything is broadcast.
    const tx = await (call === "rebalance" ? vault.rebalance() : vault.ripcord());
    const receipt = (await tx.wait())!;
    result.ok = true;
    result.gasUsed = receipt.gasUsed;
    result.txHash = receipt.hash;
    readEvents(vault, receipt, result);
  } catch (error) {
    result.error = describeError(error);
  }
  return result;
}

/** Runs every due action on one vault (several calls for chunked unwinds). Throws only if the vault can't be read. */
export async function serviceVault(
  vault: ILeveredVault,
  signer: Signer,
  opts: KeeperOptions = {},
): Promise<KeeperAction[]> {
  const log = opts.log ?? console.log;
  const me = await signer.getAddress();
  const connected = vault.connect(signer) as ILeveredVault;
  const isKeeper = await vault.isKeeper(me);
  const critical = (await vault.automationConfig()).criticalHealthFactor;
  const actions: KeeperAction[] = [];
  for (let i = 0; i < (opts.maxActionsPerVault ?? 10); i++) {
    const { needed, action } = await vault.trigger();
    const { healthFactor } = await vault.position();
    let done: KeeperAction | undefined;
    if (needed && isKeeper) {
      done = await send(connected, "rebalance", actionName(action));
      actions.push(done);
      log(describeAction(done));
    } else if (needed) {
      log(`vault ${short(vault.target as string)} ${actionName(action)} due, but ${short(me)} is not an allow-listed keeper`);
    }
    if (!done?.ok && healthFactor < critical) {
      done = await send(connected, "ripcord", "Ripcord");
      actions.push(done);
      log(describeAction(done));
    }
    if (!done?.ok) break;
  }
  return actions;
}

/** One scan of the whole registry. */
export async function keeperPass(
  ethers: Ethers,
  registryAddress: string,
  signer: Signer,
  opts: KeeperOptions = {},
): Promise<KeeperPassResult> {
  const log = opts.log ?? console.log;
  const registry = (await ethers.getContractAt("IVaultRegistry", registryAddress)) as unknown as IVaultRegistry;
  const count = await registry.vaultCount();
  const pageSize = BigInt(opts.pageSize ?? 100);
  const result: KeeperPassResult = { scanned: 0, actions: [], failures: [] };
  for (let offset = 0n; offset < count; offset += pageSize) {
    for (const address of await registry.vaults(offset, pageSize)) {
      result.scanned++;
      try {
        const vault = (await ethers.getContractAt("ILeveredVault", address)) as unknown as ILeveredVault;
        result.actions.push(...(await serviceVault(vault, signer, opts)));
      } catch (error) {
        const failure = { vault: address, error: describeError(error) };
        result.failures.push(failure);
        log(`vault ${short(address)} skipped: ${failure.error}`);
      }
    }
  }
  const ok = result.actions.filter((a) => a.ok).length;
  log(
    `pass: ${result.scanned} vault(s), ${ok} action(s) done, ` +
      `${result.actions.length - ok} refused, ${result.failures.length} unreadable`,
  );
  return result;
}

/** Scans every `intervalSeconds` until `shouldStop()` (default: forever); `once` runs a single pass. */
export async function runKeeper(
  ethers: Ethers,
  registryAddress: string,
  signer: Signer,
  opts: KeeperOptions & { intervalSeconds?: number; once?: boolean; shouldStop?: () => boolean } = {},
): Promise<KeeperPassResult[]> {
  const log = opts.log ?? console.log;
  const passes: KeeperPassResult[] = [];
  for (;;) {
    try {
      passes.push(await keeperPass(ethers, registryAddress, signer, opts));
    } catch (error) {
      // The registry itself could not be read (RPC down...): a long-running bot waits and tries again.
      if (opts.once) throw error;
      log(`pass failed: ${describeError(error)}`);
    }
    // Sleep in short slices so that a stop request (Ctrl-C) ends the bot within a second.
    const wakeAt = Date.now() + (opts.intervalSeconds ?? 60) * 1000;
    while (!opts.once && !opts.shouldStop?.() && Date.now() < wakeAt) {
      await new Promise((resolve) => setTimeout(resolve, Math.min(1000, wakeAt - Date.now())));
    }
    if (opts.once || opts.shouldStop?.()) return passes;
  }
}
