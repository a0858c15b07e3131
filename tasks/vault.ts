/**
 * Operator and user tasks (imported by hardhat.config.ts):
 *   npx hardhat vault:deposit  --vault <addr> --amount <weth> [--wrap] [--receiver <addr>] [--signer <addr>] [--dry-run]
 *   npx hardhat vault:withdraw --vault <addr> (--amount <weth> | --all) [--receiver <addr>] [--signer <addr>] [--dry-run]
 *   npx hardhat vault:status   --vault <addr> [--account <addr>]
 *   npx hardhat vault:set-keeper --vault <addr> --keeper <addr> [--remove] [--dry-run]   (manager only)
 *   npx hardhat keeper:run     --registry <addr> [--lens <addr>] [--interval <s>] [--once] [--max-actions <n>]
 *                              [--page-size <n>] [--signer <addr>] [--dry-run] [--max-fee band=50,health=100,...]
 *                              [--stuck-blocks <n>] [--confirm-timeout <s>] [--rpc-urls <u1,u2>] [--send-url <u>]
 *                              [--log-format text|json] [--metrics-port <port>]
 * Arguments are validated (zod, tasks/cli.ts) before the chain is touched; every failure is one line, exit code 1.
 * Add `--network <name>`; the signer defaults to the network's first account (DEPLOYER_PRIVATE_KEY on live networks).
 * This file is loaded with the config, so it must not import `hardhat` or load typechain-types at runtime.
 */
import { task } from "hardhat/config";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Contract, FallbackProvider, JsonRpcProvider, Network, Wallet, formatUnits, getAddress, parseUnits, type Provider, type Signer, type TransactionRequest, type TransactionResponse, type ContractTransactionReceipt, type ContractTransactionResponse, type Interface } from "ethers";
import { z } from "zod";
import type { ILeveredVault } from "../typechain-types";
import { actionName, decodeError, describeError, gas, hf, lev, modeName, table, units, usd } from "../scripts/lib/util/format";
import { runKeeper, type KeeperPassResult } from "../scripts/lib/keeper/keeper";
import { deploymentsFile, readDeploymentRecord } from "../scripts/lib/deploy/deployments";
import { address, amount, checkDecimals, fail, integer, parseArgs } from "./cli";
import { DEFAULT_FEES, KeeperSender, URGENCIES, gwei, parseFeeCaps } from "../scripts/lib/keeper/keeper-sender";
import { KeeperMetrics, serveMetrics } from "../scripts/lib/keeper/keeper-metrics";

export { fail };

/** Sends and waits; a revert becomes a one-line error naming the vault's custom error and its arguments. */
async function send(what: string, tx: () => Promise<ContractTransactionResponse>, iface?: Interface): Promise<ContractTransactionReceipt> {
  try {
    return (await (await tx()).wait())!;
  } catch (error) {
    fail(`${what} failed: ${describeError(error, iface)}`);
  }
}

/** A read the task cannot go on without: a failure becomes one line. */
async function read<T>(what: string, get: () => Promise<T>, iface?: Interface): Promise<T> {
  try {
    return await get();
  } catch (error) {
    fail(`${what} failed: ${describeError(error, iface)}`);
  }
}

const ERC20_ABI = [
  "function balanceOf(address) view returns (uint256)",
  "function allowance(address,address) view returns (uint256)",
  "function approve(address,uint256) returns (bool)",
  "function decimals() view returns (uint8)",
  "function symbol() view returns (string)",
  "function deposit() payable",
];

async function signerFor(hre: HardhatRuntimeEnvironment, account?: string): Promise<HardhatEthersSigner> {
  const signers = await read("listing the accounts", () => hre.ethers.getSigners());
  if (!account) {
    if (!signers[0]) fail(`no account configured for network '${hre.network.name}': set DEPLOYER_PRIVATE_KEY`);
    return signers[0];
  }
  // Remote accounts (a node's eth_accounts) come lower-case.
  const signer = signers.find((s) => s.address.toLowerCase() === account.toLowerCase());
  if (!signer) fail(`--signer ${account} is not an account of network '${hre.network.name}'`);
  return signer;
}

/** Opens a vault, or fails in one line when `address` has no code or is not a levered vault (a token, the registry...). */
async function openVault(hre: HardhatRuntimeEnvironment, address: string, signer?: HardhatEthersSigner) {
  const vault = (await hre.ethers.getContractAt("ILeveredVault", address, signer)) as unknown as ILeveredVault;
  const code = await read(`reading the code at ${address}`, () => hre.ethers.provider.getCode(address));
  if (code === "0x") fail(`no contract at ${address} on '${hre.network.name}'`);
  let assetAddress: string, debtAddress: string;
  try {
    [assetAddress, debtAddress] = await Promise.all([vault.asset(), vault.debtAsset()]);
  } catch (error) {
    fail(`${address} is not a levered vault (asset() / debtAsset() failed: ${describeError(error, vault.interface)})`);
  }
  const asset = new Contract(assetAddress, ERC20_ABI, signer ?? hre.ethers.provider);
  const debt = new Contract(debtAddress, ERC20_ABI, hre.ethers.provider);
  const [assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals] = await read("reading the vault's tokens", () =>
    Promise.all([
      asset.symbol() as Promise<string>,
      asset.decimals().then(Number) as Promise<number>,
      debt.symbol() as Promise<string>,
      debt.decimals().then(Number) as Promise<number>,
      vault.decimals().then(Number),
    ]),
  );
  return { vault, asset, assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals };
}

/**
 * Runs `fn` on a snapshot of a development chain (Hardhat's in-process network, a `hardhat node`, anvil) and reverts:
 * the exact effect of the transactions, nothing kept. Undefined where the node has no snapshots or does not mine
 * each transaction at once (a live network, automine off): the caller then simulates with eth_call alone.
 */
async function onSnapshot<T>(hre: HardhatRuntimeEnvironment, fn: () => Promise<T>): Promise<T | undefined> {
  const provider = hre.network.provider;
  let id: unknown;
  try {
    if ((await provider.send("hardhat_getAutomine", [])) !== true) return undefined;
    id = await provider.send("evm_snapshot", []);
  } catch {
    return undefined;
  }
  try {
    return await fn();
  } finally {
    await provider.send("evm_revert", [id]);
  }
}

/** The position's leverage and HF, or why it cannot be read (e.g. a stale oracle). */
async function positionLine(vault: ILeveredVault): Promise<{ leverage?: bigint; healthFactor?: bigint; line: string }> {
  try {
    const p = await vault.position();
    return { leverage: p.leverage, healthFactor: p.healthFactor, line: `leverage ${lev(p.leverage)}, HF ${hf(p.healthFactor)}, equity ${usd(p.equityValue)}` };
  } catch (error) {
    return { line: `position unreadable: ${describeError(error, vault.interface)}` };
  }
}

const DRY_RUN_NOTE = "dry run: simulated on a snapshot of the chain and reverted; nothing was sent";
const DRY_RUN_CALL_NOTE = "dry run: simulated with eth_call; nothing was sent (this node has no snapshots, so the position after is not known)";

function eventArgs(vault: ILeveredVault, receipt: ContractTransactionReceipt, name: string) {
  for (const log of receipt.logs) {
    try {
      const parsed = vault.interface.parseLog(log);
      if (parsed?.name === name) return parsed.args;
    } catch {
      // another contract's event
    }
  }
  return undefined;
}

export interface DepositResult {
  assets: bigint;
  shares: bigint;
  gasUsed: bigint;
  /** Empty in a dry run. */
  txHash: string;
  dryRun?: boolean;
  /** Dry run: the vault's leverage and HF after the deposit (undefined where the node cannot tell). */
  leverageAfter?: bigint;
  healthFactorAfter?: bigint;
}

/** Default --slippage of the user tasks (bps): the bound sent with a deposit or an exit, from its simulation. */
export const DEFAULT_SLIPPAGE_BPS = 50;

/** --slippage: bps the caller accepts below (or above) the simulated outcome; the ERC-5143 bound sent with the call. */
const slippage = z.coerce
  .number({ error: "--slippage must be a number of bps" })
  .int({ error: "--slippage must be a whole number of bps" })
  .min(0, { error: "--slippage must be >= 0 bps" })
  .max(1000, { error: "--slippage must be <= 1000 bps" })
  .default(DEFAULT_SLIPPAGE_BPS);

/**
 * `simulated` moved by `bps` (negative: a floor below it, positive: a ceiling above it), never looser than the
 * vault's own worst case `preview` (what previewDeposit / previewRedeem / previewWithdraw promise).
 */
function bounded(simulated: bigint, bps: number, preview: bigint): bigint {
  const moved = (simulated * BigInt(10_000 + bps)) / 10_000n;
  return bps < 0 ? (moved > preview ? moved : preview) : moved < preview ? moved : preview;
}

const DepositArgs = z.object({
  vault: address("vault"),
  amount: amount("amount"),
  receiver: address("receiver").optional(),
  signer: address("signer").optional(),
  wrap: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  slippage,
});

task("vault:deposit", "Deposits collateral (WETH) into a vault; it is levered to target in the same transaction")
  .addParam("vault", "vault address")
  .addParam("amount", "collateral to deposit, in tokens (e.g. 1.5)")
  .addOptionalParam("receiver", "who gets the shares (default: the signer)")
  .addOptionalParam("signer", "account to send from (default: first account)")
  .addFlag("wrap", "wrap native ETH into WETH (WETH9.deposit) for whatever the WETH balance lacks")
  .addOptionalParam("slippage", `bps below the simulated shares the deposit may mint at least (ERC-5143 minShares; default ${DEFAULT_SLIPPAGE_BPS})`)
  .addFlag("dryRun", "simulate: print shares, leverage and HF after, gas; send nothing")
  .setAction(async (raw: unknown, hre): Promise<DepositResult> => {
    const args = parseArgs(DepositArgs, raw);
    const signer = await signerFor(hre, args.signer);
    const { vault, asset, assetSymbol, assetDecimals, shareDecimals } = await openVault(hre, args.vault, signer);
    const iface = vault.interface;
    checkDecimals("amount", args.amount, assetDecimals, assetSymbol);
    const receiver = args.receiver ?? signer.address;
    const assets = parseUnits(args.amount, assetDecimals);
    const room = await read("maxDeposit()", () => vault.maxDeposit(receiver), iface);
    if (assets > room) fail(`vault accepts at most ${formatUnits(room, assetDecimals)} ${assetSymbol} now (cap or paused)`);

    const balance: bigint = await read("balanceOf()", () => asset.balanceOf(signer.address));
    const toWrap = balance < assets ? assets - balance : 0n;
    if (toWrap > 0n) {
      if (!args.wrap) {
        fail(`balance ${formatUnits(balance, assetDecimals)} ${assetSymbol} < ${args.amount}: fund the account or pass --wrap`);
      }
      const eth = await read("getBalance()", () => hre.ethers.provider.getBalance(signer.address));
      if (eth < toWrap) fail(`--wrap needs ${formatUnits(toWrap, 18)} ETH, ${signer.address} has ${formatUnits(eth, 18)}`);
    }
    const needsApproval = ((await read("allowance()", () => asset.allowance(signer.address, vault.target))) as bigint) < assets;

    /** The deposit itself (wrap and approve first if needed); the deposit's receipt and minted shares. */
    const execute = async (say: (line: string) => void) => {
      const gasOf: string[] = [];
      if (toWrap > 0n) {
        say(`wrapping ${formatUnits(toWrap, assetDecimals)} ETH into ${assetSymbol}`);
        gasOf.push(`wrap ${gas((await send("wrap", () => asset.deposit({ value: toWrap }))).gasUsed)}`);
      }
      if (needsApproval) gasOf.push(`approve ${gas((await send("approve", () => asset.approve(vault.target, assets))).gasUsed)}`);
      // The bound: the shares simulated now less --slippage, and never below the vault's own worst case.
      const [expected, preview] = await Promise.all([
        read("simulating deposit()", () => vault["deposit(uint256,address)"].staticCall(assets, receiver), iface),
        read("previewDeposit()", () => vault.previewDeposit(assets), iface),
      ]);
      const minShares = bounded(expected, -args.slippage, preview);
      say(`min shares ${units(minShares, shareDecimals)} (--slippage ${args.slippage} bps under ${units(expected, shareDecimals)} simulated)`);
      const receipt = await send("deposit", () => vault["deposit(uint256,address,uint256)"](assets, receiver, minShares), iface);
      const shares: bigint = eventArgs(vault, receipt, "Deposit")?.shares ?? 0n;
      return { receipt, shares, gasOf };
    };

    if (args.dryRun) {
      const before = await positionLine(vault);
      const sim = await onSnapshot(hre, async () => {
        const done = await execute(() => undefined);
        return { ...done, after: await positionLine(vault) };
      });
      if (sim) {
        console.log(`${DRY_RUN_NOTE}`);
        console.log(
          `would deposit ${args.amount} ${assetSymbol} for ${units(sim.shares, shareDecimals)} shares to ${receiver}; ` +
            `gas ${[...sim.gasOf, `deposit ${gas(sim.receipt.gasUsed)}`].join(", ")}`,
        );
        console.log(`vault before: ${before.line}`);
        console.log(`vault after:  ${sim.after.line}`);
        return { assets, shares: sim.shares, gasUsed: sim.receipt.gasUsed, txHash: "", dryRun: true, leverageAfter: sim.after.leverage, healthFactorAfter: sim.after.healthFactor };
      }
      // No snapshots (a live network): eth_call and estimateGas, possible only once balance and allowance suffice.
      console.log(DRY_RUN_CALL_NOTE);
      const preview = await read("previewDeposit()", () => vault.previewDeposit(assets), iface);
      if (toWrap > 0n || needsApproval) {
        console.log(
          `would ${toWrap > 0n ? `wrap ${formatUnits(toWrap, assetDecimals)} ETH, ` : ""}approve ${assetSymbol}, then deposit ` +
            `${args.amount} ${assetSymbol} for ~${units(preview, shareDecimals)} shares (previewDeposit); ` +
            `the deposit's gas cannot be estimated before the approval`,
        );
        console.log(`vault now: ${before.line}`);
        return { assets, shares: preview, gasUsed: 0n, txHash: "", dryRun: true };
      }
      const shares = await read("simulating deposit()", () => vault["deposit(uint256,address)"].staticCall(assets, receiver), iface);
      const gasUsed = await read("estimating deposit() gas", () => vault["deposit(uint256,address)"].estimateGas(assets, receiver), iface);
      console.log(`would deposit ${args.amount} ${assetSymbol} for ${units(shares, shareDecimals)} shares to ${receiver}; gas ~${gas(gasUsed)}`);
      console.log(`vault now: ${before.line}`);
      return { assets, shares, gasUsed, txHash: "", dryRun: true };
    }

    const preview = await read("previewDeposit()", () => vault.previewDeposit(assets), iface);
    const { receipt, shares } = await execute(console.log);
    console.log(
      `deposited ${args.amount} ${assetSymbol} for ${units(shares, shareDecimals)} shares (preview ${units(preview, shareDecimals)}) ` +
        `to ${receiver}; gas ${gas(receipt.gasUsed)}, tx ${receipt.hash}`,
    );
    console.log(`vault now: ${(await positionLine(vault)).line}`);
    return { assets, shares, gasUsed: receipt.gasUsed, txHash: receipt.hash };
  });

export interface WithdrawResult {
  assets: bigint;
  shares: bigint;
  gasUsed: bigint;
  /** Empty in a dry run. */
  txHash: string;
  dryRun?: boolean;
  leverageAfter?: bigint;
  healthFactorAfter?: bigint;
}

const WithdrawArgs = z
  .object({
    vault: address("vault"),
    amount: amount("amount").optional(),
    all: z.boolean().default(false),
    receiver: address("receiver").optional(),
    signer: address("signer").optional(),
    dryRun: z.boolean().default(false),
    slippage,
  })
  .refine((a) => a.all !== (a.amount !== undefined), { error: "pass exactly one of --amount <tokens> or --all" });

task("vault:withdraw", "Withdraws collateral from a vault (its slice of the position is unwound in the same transaction)")
  .addParam("vault", "vault address")
  .addOptionalParam("amount", "collateral to receive, in tokens")
  .addFlag("all", "redeem every share the signer holds")
  .addOptionalParam("slippage", `bps the exit may pay less (redeem) or burn more shares (withdraw) than simulated (ERC-5143 bound; default ${DEFAULT_SLIPPAGE_BPS})`)
  .addOptionalParam("receiver", "who gets the collateral (default: the signer)")
  .addOptionalParam("signer", "share holder to send from (default: first account)")
  .addFlag("dryRun", "simulate: print assets out, shares burnt, leverage and HF after, gas; send nothing")
  .setAction(async (raw: unknown, hre): Promise<WithdrawResult> => {
    const args = parseArgs(WithdrawArgs, raw);
    const signer = await signerFor(hre, args.signer);
    const { vault, asset, assetSymbol, assetDecimals, shareDecimals } = await openVault(hre, args.vault, signer);
    const iface = vault.interface;
    const receiver = args.receiver ?? signer.address;
    let call: () => Promise<ContractTransactionResponse>;
    let staticCall: () => Promise<bigint>;
    let estimate: () => Promise<bigint>;
    let what: string;
    if (args.all) {
      const shares = await read("balanceOf()", () => vault.balanceOf(signer.address), iface);
      if (shares === 0n) fail(`${signer.address} holds no shares of ${args.vault}`);
      const preview = await read("previewRedeem()", () => vault.previewRedeem(shares), iface);
      what = `redeem ${units(shares, shareDecimals)} shares (preview ${units(preview, assetDecimals)} ${assetSymbol})`;
      staticCall = () => vault["redeem(uint256,address,address)"].staticCall(shares, receiver, signer.address);
      estimate = () => vault["redeem(uint256,address,address)"].estimateGas(shares, receiver, signer.address);
      call = async () => {
        const minAssets = bounded(await staticCall(), -args.slippage, preview);
        return vault["redeem(uint256,address,address,uint256)"](shares, receiver, signer.address, minAssets);
      };
    } else {
      checkDecimals("amount", args.amount!, assetDecimals, assetSymbol);
      const assets = parseUnits(args.amount!, assetDecimals);
      const max = await read("maxWithdraw()", () => vault.maxWithdraw(signer.address), iface);
      if (assets > max) fail(`at most ${formatUnits(max, assetDecimals)} ${assetSymbol} can be withdrawn now`);
      what = `withdraw ${args.amount} ${assetSymbol}`;
      staticCall = () => vault["withdraw(uint256,address,address)"].staticCall(assets, receiver, signer.address);
      estimate = () => vault["withdraw(uint256,address,address)"].estimateGas(assets, receiver, signer.address);
      call = async () => {
        const [expected, worst] = await Promise.all([staticCall(), vault.previewWithdraw(assets)]);
        const maxShares = bounded(expected, args.slippage, worst);
        return vault["withdraw(uint256,address,address,uint256)"](assets, receiver, signer.address, maxShares);
      };
    }
    const execute = async () => {
      const before: bigint = await asset.balanceOf(receiver);
      const receipt = await send(args.all ? "redeem" : "withdraw", call, iface);
      const received = ((await asset.balanceOf(receiver)) as bigint) - before;
      return { receipt, received, shares: (eventArgs(vault, receipt, "Withdraw")?.shares as bigint | undefined) ?? 0n };
    };

    if (args.dryRun) {
      const before = await positionLine(vault);
      const sim = await onSnapshot(hre, async () => ({ ...(await execute()), after: await positionLine(vault) }));
      if (sim) {
        console.log(DRY_RUN_NOTE);
        console.log(
          `would ${what}: ${units(sim.received, assetDecimals)} ${assetSymbol} to ${receiver} for ${units(sim.shares, shareDecimals)} shares; ` +
            `gas ${gas(sim.receipt.gasUsed)}`,
        );
        console.log(`vault before: ${before.line}`);
        console.log(`vault after:  ${sim.after.line}`);
        return { assets: sim.received, shares: sim.shares, gasUsed: sim.receipt.gasUsed, txHash: "", dryRun: true, leverageAfter: sim.after.leverage, healthFactorAfter: sim.after.healthFactor };
      }
      console.log(DRY_RUN_CALL_NOTE);
      const result = await read(`simulating ${what}`, staticCall, iface);
      const gasUsed = await read("estimating gas", estimate, iface);
      console.log(`would ${what}: ${args.all ? `${units(result, assetDecimals)} ${assetSymbol} out` : `${units(result, shareDecimals)} shares burnt`}; gas ~${gas(gasUsed)}`);
      console.log(`vault now: ${before.line}`);
      return { assets: args.all ? result : parseUnits(args.amount!, assetDecimals), shares: args.all ? 0n : result, gasUsed, txHash: "", dryRun: true };
    }

    if (args.all) console.log(`redeeming: ${what.replace(/^redeem /, "")}`);
    const { receipt, received, shares } = await execute();
    console.log(
      `withdrew ${units(received, assetDecimals)} ${assetSymbol} to ${receiver} for ${units(shares, shareDecimals)} shares; ` +
        `gas ${gas(receipt.gasUsed)}, tx ${receipt.hash}`,
    );
    console.log(`shares left: ${units(await vault.balanceOf(signer.address), shareDecimals)}`);
    return { assets: received, shares, gasUsed: receipt.gasUsed, txHash: receipt.hash };
  });

/** A read that may fail (a stale oracle makes every priced view revert): its value or its error. */
type Settled<T> = { ok: true; value: T } | { ok: false; error: unknown };
const settle = <T>(p: Promise<T>): Promise<Settled<T>> =>
  p.then(
    (value) => ({ ok: true as const, value }),
    (error) => ({ ok: false as const, error }),
  );

/** "2 h 5 min" */
function duration(seconds: number): string {
  const s = Math.max(0, Math.round(seconds));
  if (s < 120) return `${s} s`;
  const m = Math.floor(s / 60);
  if (m < 120) return `${m} min`;
  const h = Math.floor(m / 60);
  return h < 48 ? `${h} h ${m % 60} min` : `${Math.floor(h / 24)} d ${h % 24} h`;
}

export interface StatusResult {
  /** Undefined when the oracle (or anything priced) cannot be read. */
  position?: Awaited<ReturnType<ILeveredVault["position"]>>;
  totalAssets?: bigint;
  totalSupply: bigint;
  sharePrice?: bigint;
  trigger?: { needed: boolean; action: bigint };
  mode: bigint;
  /** Why the priced reads failed, one line (e.g. the oracle is stale, since when). */
  unavailable?: string;
  oracleStale?: { feed: string; updatedAt: bigint; heartbeat: bigint; staleSince: bigint };
  account?: { address: string; shares: bigint; assets?: bigint };
}

const StatusArgs = z.object({ vault: address("vault"), account: address("account").optional() });

task("vault:status", "Prints a vault's position, configuration, automation state and trigger")
  .addParam("vault", "vault address")
  .addOptionalParam("account", "also print this account's shares and their value")
  .setAction(async (raw: unknown, hre): Promise<StatusResult> => {
    const args = parseArgs(StatusArgs, raw);
    const { vault, assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals } = await openVault(hre, args.vault);
    const iface = vault.interface;
    // Configuration and roles need no price: read them first, they are printed even when the oracle is stale.
    const [name, symbol, totalSupply, leverage, execution, automation, exits, state, owner, manager, guardian, paused] = await read(
      "reading the vault's configuration",
      () =>
        Promise.all([
          vault.name(),
          vault.symbol(),
          vault.totalSupply(),
          vault.leverageConfig(),
          vault.executionConfig(),
          vault.automationConfig(),
          vault.exitConfig(),
          vault.automationState(),
          vault.owner(),
          vault.manager(),
          vault.guardian(),
          vault.depositsPaused(),
        ]),
      iface,
    );
    const [position, totalAssets, trig, sharePrice] = await Promise.all([
      settle(vault.position()),
      settle(vault.totalAssets()),
      settle(vault.trigger()),
      totalSupply === 0n ? Promise.resolve({ ok: true as const, value: 0n }) : settle(vault.convertToAssets(10n ** BigInt(shareDecimals))),
    ]);
    const price = (x: bigint) => (x === 0n ? "off" : `${units(x, 18, 2)} ${debtSymbol}/${assetSymbol}`);
    const bps = (x: bigint) => `${Number(x) / 100}%`;
    const now = (await read("reading the latest block", () => hre.ethers.provider.getBlock("latest")))!.timestamp;
    const readyAt = Number(state.lastRebalanceAt) + Number(automation.cooldown);
    const result: StatusResult = { totalSupply, mode: state.mode };

    console.log(`${name} (${symbol}) at ${vault.target} on '${hre.network.name}'`);
    console.log(`  roles: owner ${owner}, manager ${manager}, guardian ${guardian}; deposits ${paused ? "PAUSED" : "open"}`);
    console.log("\nPosition (oracle prices)");
    if (position.ok && totalAssets.ok && sharePrice.ok) {
      const p = position.value;
      Object.assign(result, { position: p, totalAssets: totalAssets.value, sharePrice: sharePrice.value });
      console.log(
        table(
          ["", "value"],
          [
            ["price", `${units(p.price, 18, 2)} ${debtSymbol}/${assetSymbol}`],
            ["collateral supplied", `${units(p.collateral, assetDecimals)} ${assetSymbol}`],
            ["debt", `${units(p.debt, debtDecimals, 2)} ${debtSymbol}`],
            ["idle", `${units(p.idleCollateral, assetDecimals)} ${assetSymbol} + ${units(p.idleDebtAsset, debtDecimals, 2)} ${debtSymbol}`],
            ["equity", usd(p.equityValue)],
            ["leverage", lev(p.leverage)],
            ["health factor", hf(p.healthFactor)],
            ["NAV (totalAssets)", `${units(totalAssets.value, assetDecimals)} ${assetSymbol}`],
            ["shares", units(totalSupply, shareDecimals)],
            ["share price", `${units(sharePrice.value, assetDecimals, 6)} ${assetSymbol}`],
          ],
        ),
      );
    } else {
      const error = [position, totalAssets, sharePrice].find((r) => !r.ok)!.error;
      const decoded = decodeError(error, iface);
      result.unavailable = describeError(error, iface);
      if (decoded?.name === "OracleStale") {
        const [feed, updatedAt, heartbeat] = decoded.args.map((a) => a.value) as [string, bigint, bigint];
        const staleSince = updatedAt + heartbeat;
        result.oracleStale = { feed, updatedAt, heartbeat, staleSince };
        const description = await new Contract(feed, ["function description() view returns (string)"], hre.ethers.provider)
          .description()
          .then((d: string) => `${d} `)
          .catch(() => "");
        const at = (t: bigint) => new Date(Number(t) * 1000).toISOString().replace(".000Z", "Z");
        result.unavailable =
          `oracle STALE: feed ${description}(${feed}) last answered at ${at(updatedAt)}, heartbeat ${heartbeat} s: ` +
          `stale since ${at(staleSince)} (${duration(now - Number(staleSince))} ago)`;
      }
      console.log(`  unavailable: ${result.unavailable}`);
      console.log(`  shares: ${units(totalSupply, shareDecimals)}; deposits, exits and keeper actions wait for a fresh price`);
    }
    console.log("\nConfiguration");
    console.log(
      `  leverage: target ${lev(leverage.targetLeverage)}, band ${lev(leverage.minLeverage)}-${lev(leverage.maxLeverage)}, ` +
        `HF floor ${hf(leverage.minHealthFactor)}`,
    );
    console.log(
      `  execution: max slippage ${bps(execution.maxSlippageBps)}, Uniswap fee ${Number(execution.swapFee) / 1e4}%, ` +
        `deposit cap ${units(execution.depositCap, assetDecimals)} ${assetSymbol}`,
    );
    console.log(
      `  automation: ripcord below HF ${hf(automation.criticalHealthFactor)}, DEX deviation ${bps(automation.maxDexDeviationBps)}, ` +
        `max equity loss ${bps(automation.maxEquityLossBps)}, cooldown ${automation.cooldown} s, ` +
        `ripcord reward ${bps(automation.ripcordRewardBps)} (cap ${units(automation.ripcordRewardCap, assetDecimals)} ${assetSymbol}), ` +
        `max trade ${units(automation.maxTradeSize, debtDecimals, 0)} ${debtSymbol}`,
    );
    console.log(
      `  exits: stop-loss ${price(exits.stopLossPrice)}, take-profit ${price(exits.takeProfitPrice)} ` +
        `(keep ${lev(exits.takeProfitLeverage)}), trailing stop ${exits.trailBps === 0n ? "off" : bps(exits.trailBps)}, ` +
        `on stop ${exits.stopToDebtAsset ? `sell into ${debtSymbol}` : `hold ${assetSymbol} at 1x`}`,
    );
    console.log("\nAutomation");
    console.log(
      `  mode ${modeName(state.mode)}, high-water mark ${price(state.highWaterMark)}, ` +
        `band rebalance ${readyAt > now ? `in cooldown for ${readyAt - now} s` : "allowed"}`,
    );
    if (trig.ok) {
      result.trigger = { needed: trig.value.needed, action: trig.value.action };
      const ripcord = position.ok
        ? position.value.healthFactor < automation.criticalHealthFactor
          ? "ARMED (anyone may call ripcord())"
          : "not armed"
        : "unknown";
      console.log(
        `  trigger: ${trig.value.needed ? `${actionName(trig.value.action)} due -> keeper calls rebalance()` : "nothing to do"}; ripcord ${ripcord}`,
      );
    } else {
      console.log(`  trigger: unavailable (${describeError(trig.error, iface)})`);
    }
    if (args.account) {
      const shares = await read("balanceOf()", () => vault.balanceOf(args.account!), iface);
      const assets = await settle(vault.previewRedeem(shares));
      result.account = { address: args.account, shares, assets: assets.ok ? assets.value : undefined };
      const value = assets.ok ? `redeemable now for ~${units(assets.value, assetDecimals)} ${assetSymbol}` : "value unavailable (see above)";
      console.log(`\nAccount ${args.account}: ${units(shares, shareDecimals)} shares, ${value}`);
    }
    return result;
  });

const SetKeeperArgs = z.object({
  vault: address("vault"),
  keeper: address("keeper"),
  remove: z.boolean().default(false),
  signer: address("signer").optional(),
  dryRun: z.boolean().default(false),
});

task("vault:set-keeper", "Manager only: allow-lists (or with --remove, removes) a keeper, e.g. a Chainlink upkeep forwarder")
  .addParam("vault", "vault address")
  .addParam("keeper", "keeper address")
  .addFlag("remove", "remove instead of add")
  .addOptionalParam("signer", "the vault's manager (default: first account)")
  .addFlag("dryRun", "simulate: check the call would pass and print its gas; send nothing")
  .setAction(async (raw: unknown, hre) => {
    const args = parseArgs(SetKeeperArgs, raw);
    const signer = await signerFor(hre, args.signer);
    const { vault } = await openVault(hre, args.vault, signer);
    const iface = vault.interface;
    const manager = await read("manager()", () => vault.manager(), iface);
    if (manager !== signer.address) fail(`only the manager ${manager} can set keepers (signer is ${signer.address})`);
    const effect = `${args.keeper} ${args.remove ? "removed from" : "allow-listed on"} ${vault.target}`;
    if (args.dryRun) {
      await read("simulating setKeeper()", () => vault.setKeeper.staticCall(args.keeper, !args.remove), iface);
      const gasUsed = await read("estimating setKeeper() gas", () => vault.setKeeper.estimateGas(args.keeper, !args.remove), iface);
      const now = await read("isKeeper()", () => vault.isKeeper(args.keeper), iface);
      console.log(`dry run: simulated with eth_call; nothing was sent`);
      console.log(`would have ${effect} (keeper now: ${now ? "yes" : "no"}); gas ~${gas(gasUsed)}`);
      return now;
    }
    const receipt = await send("setKeeper", () => vault.setKeeper(args.keeper, !args.remove), iface);
    console.log(`${effect}; tx ${receipt.hash}`);
    return vault.isKeeper(args.keeper);
  });

/**
 * The lens `keeper:run` scans through: `--lens`, else the one recorded with this registry in
 * deployments/<network>.json, else none (the bot then calls every vault's trigger() itself).
 */
async function keeperLens(
  hre: HardhatRuntimeEnvironment,
  registry: string,
  given: string | undefined,
  log: (line: string) => void,
): Promise<string | undefined> {
  const record = given ? undefined : readDeploymentRecord(hre.network.name);
  const recorded = record?.lens && record.registry && getAddress(record.registry) === registry ? record.lens : undefined;
  const source = given ? "--lens" : deploymentsFile(hre.network.name);
  const address = given ?? recorded;
  if (!address) {
    log(
      `no KeeperLens given (--lens) or recorded for this registry in ${source}: ` +
        `falling back to one trigger() call per vault`,
    );
    return undefined;
  }
  const lens = await hre.ethers.getContractAt("IKeeperLens", getAddress(address));
  let triggerGasLimit: bigint | undefined;
  if ((await hre.ethers.provider.getCode(lens.target as string)) !== "0x") {
    triggerGasLimit = await lens.TRIGGER_GAS_LIMIT().catch(() => undefined);
  }
  if (triggerGasLimit === undefined) {
    if (given) fail(`no KeeperLens at ${address} (no code, or no TRIGGER_GAS_LIMIT())`);
    log(`the KeeperLens ${address} recorded in ${source} does not answer: falling back to one trigger() call per vault`);
    return undefined;
  }
  log(`scanning through KeeperLens ${lens.target} (from ${source}; ${gas(triggerGasLimit)} gas per trigger())`);
  return lens.target as string;
}

const urlList = (flag: string) =>
  z
    .string()
    .transform((text) => text.split(",").map((u) => u.trim()).filter(Boolean))
    .superRefine((urls, ctx) => {
      if (urls.length === 0) ctx.addIssue({ code: "custom", message: `--${flag} is empty` });
      for (const url of urls) {
        if (!/^(https?|wss?):\/\/[^\s]+$/.test(url)) ctx.addIssue({ code: "custom", message: `--${flag} '${url}' is not an http(s) or ws(s) URL` });
      }
    });

const KeeperArgs = z.object({
  registry: address("registry"),
  lens: address("lens").optional(),
  interval: integer("interval", 1),
  maxActions: integer("max-actions", 1, 1000),
  pageSize: integer("page-size", 1, 100_000),
  signer: address("signer").optional(),
  once: z.boolean().default(false),
  dryRun: z.boolean().default(false),
  maxFee: z
    .string()
    .optional()
    .transform((text, ctx) => {
      try {
        return parseFeeCaps(text ?? "");
      } catch (error) {
        ctx.addIssue({ code: "custom", message: `--max-fee: ${(error as Error).message}` });
        return z.NEVER;
      }
    }),
  stuckBlocks: integer("stuck-blocks", 1, 1000),
  confirmTimeout: integer("confirm-timeout", 0, 3600),
  rpcUrls: urlList("rpc-urls").optional(),
  sendUrl: urlList("send-url").optional(),
  logFormat: z.enum(["text", "json"], { error: (i) => `--log-format must be text or json (got '${String(i.input)}')` }),
  metricsPort: integer("metrics-port", 0, 65_535).optional(),
});

/** JSON.stringify with bigints as decimal strings. */
const json = (value: unknown) => JSON.stringify(value, (_, v) => (typeof v === "bigint" ? v.toString() : v));

/**
 * Providers and signer for --rpc-urls / --send-url: reads through a FallbackProvider over the URLs (in order of
 * priority), sends signed locally with KEEPER_PRIVATE_KEY (else DEPLOYER_PRIVATE_KEY) and broadcast through the send
 * URL when given (e.g. a private-transaction endpoint), else through the read URLs.
 */
async function keeperConnections(hre: HardhatRuntimeEnvironment, rpcUrls: string[] | undefined, sendUrl: string[] | undefined) {
  const key = process.env.KEEPER_PRIVATE_KEY ?? process.env.DEPLOYER_PRIVATE_KEY;
  if (!key) fail("--rpc-urls / --send-url sign locally: set KEEPER_PRIVATE_KEY (or DEPLOYER_PRIVATE_KEY)");
  const urls = rpcUrls ?? [(hre.network.config as { url?: string }).url ?? ""].filter(Boolean);
  if (urls.length === 0) fail(`--send-url needs --rpc-urls on network '${hre.network.name}' (it has no URL)`);
  let chainId = hre.network.config.chainId;
  for (const url of urls) {
    if (chainId !== undefined) break;
    chainId = await new JsonRpcProvider(url, undefined, { staticNetwork: true })
      .send("eth_chainId", [])
      .then((id: string) => Number(id))
      .catch(() => undefined);
  }
  if (chainId === undefined) fail(`none of --rpc-urls answers eth_chainId: ${urls.join(", ")}`);
  const network = Network.from(chainId);
  const make = (url: string) => new JsonRpcProvider(url, network, { staticNetwork: network, pollingInterval: 1000 });
  const reader: Provider =
    urls.length === 1
      ? make(urls[0])
      : new FallbackProvider(urls.map((url, i) => ({ provider: make(url), priority: i + 1, stallTimeout: 1500, weight: 1 })), network, { quorum: 1 });
  const broadcaster: Provider = sendUrl ? (sendUrl.length === 1 ? make(sendUrl[0]) : new FallbackProvider(sendUrl.map((u) => make(u)), network, { quorum: 1 })) : reader;
  class SplitWallet extends Wallet {
    override async sendTransaction(tx: TransactionRequest): Promise<TransactionResponse> {
      const populated = await this.populateTransaction(tx);
      delete populated.from;
      const signed = await this.signTransaction(populated);
      return broadcaster.broadcastTransaction(signed);
    }
  }
  const signer = new SplitWallet(key, reader);
  return { reader, signer, urls, sendUrl };
}

task("keeper:run", "Keeper bot: scans every vault in a registry and runs the actions their triggers report")
  .addParam("registry", "VaultRegistry address")
  .addOptionalParam(
    "lens",
    "KeeperLens address (default: the one recorded for the registry in deployments/<network>.json; " +
      "without one, trigger() is called per vault)",
  )
  .addOptionalParam("interval", "seconds between scans", "60")
  .addOptionalParam("maxActions", "calls per vault and scan (chunked unwinds)", "10")
  .addOptionalParam("pageSize", "vaults per lens eth_call (or per registry page without a lens)", "100")
  .addOptionalParam("signer", "keeper account (default: first account); must be allow-listed for rebalance()")
  .addFlag("once", "run a single scan and exit")
  .addFlag("dryRun", "scan and simulate every due action (gas estimated), send nothing")
  .addOptionalParam("maxFee", "max fee per gas per urgency, gwei, band <= health <= stop <= ripcord", "band=50,health=100,stop=200,ripcord=500")
  .addOptionalParam("stuckBlocks", "blocks after which an unmined transaction is replaced with bumped fees", "3")
  .addOptionalParam("confirmTimeout", "seconds a send waits for its receipt before leaving it in flight", "15")
  .addOptionalParam("rpcUrls", "comma-separated RPC URLs read through an ethers FallbackProvider (signs with KEEPER_PRIVATE_KEY)")
  .addOptionalParam("sendUrl", "RPC URL transactions are broadcast through (e.g. a private-transaction endpoint)")
  .addOptionalParam("logFormat", "text or json (one JSON object per line)", "text")
  .addOptionalParam("metricsPort", "serve Prometheus /metrics and /healthz on this port (127.0.0.1; 0 = any free port)")
  .setAction(async (raw: unknown, hre): Promise<KeeperPassResult[]> => {
    const args = parseArgs(KeeperArgs, raw);
    const log = (line: string, fields: Record<string, unknown> = {}) =>
      console.log(args.logFormat === "json" ? json({ time: new Date().toISOString(), msg: line, ...fields }) : `[${new Date().toISOString()}] ${line}`);
    const custom = args.rpcUrls || args.sendUrl ? await keeperConnections(hre, args.rpcUrls, args.sendUrl) : undefined;
    if (custom && args.signer && getAddress(args.signer) !== custom.signer.address) {
      fail(`--signer ${args.signer} is not the KEEPER_PRIVATE_KEY account ${custom.signer.address}`);
    }
    const signer: Signer = custom?.signer ?? (await signerFor(hre, args.signer));
    const me = await signer.getAddress();
    const reader: Provider = custom?.reader ?? hre.ethers.provider;
    const registry = args.registry;
    if ((await read(`reading the code at ${registry}`, () => reader.getCode(registry))) === "0x") {
      fail(`no contract at ${registry} on '${hre.network.name}'`);
    }
    const caps = URGENCIES.map((u) => `${u} ${gwei(args.maxFee[u])}`).join(", ");
    log(
      `keeper ${me} on '${hre.network.name}', registry ${registry}${args.once ? ", one scan" : `, every ${args.interval} s`}` +
        (args.dryRun ? "; DRY RUN: nothing is sent" : `; max fee ${caps}; stuck after ${args.stuckBlocks} blocks`) +
        (custom ? `; reads via ${custom.urls.length} URL(s)${custom.urls.length > 1 ? " (fallback)" : ""}, sends via ${custom.sendUrl ? "--send-url" : "the same"}` : ""),
      { event: "start", keeper: me, network: hre.network.name, registry, dryRun: args.dryRun },
    );
    const lens = await keeperLens(hre, registry, args.lens, log);
    const metrics = new KeeperMetrics();
    const senderLog = (line: string, fields?: Record<string, unknown>) => {
      if (fields?.event === "replaced") metrics.replacements.inc();
      log(line, fields);
    };
    const sender = new KeeperSender(signer, reader, {
      fees: { ...DEFAULT_FEES, maxFee: args.maxFee },
      stuckBlocks: args.stuckBlocks,
      confirmTimeoutMs: args.confirmTimeout * 1000,
      log: senderLog,
      onMined: (receipt) => {
        metrics.gasUsed.inc(Number(receipt.gasUsed));
        metrics.feesPaid.inc(Number(receipt.gasUsed * receipt.gasPrice));
      },
    });
    let server: Awaited<ReturnType<typeof serveMetrics>> | undefined;
    if (args.metricsPort !== undefined) {
      server = await serveMetrics(metrics, args.metricsPort, "127.0.0.1", Math.max(300, 3 * args.interval));
      log(`metrics on http://127.0.0.1:${server.port}/metrics, health on /healthz`, { event: "metrics", port: server.port });
    }
    let stop = false;
    const onSignal = (signal: string) => {
      log(`${signal}: stopping after this scan`, { event: "signal", signal });
      stop = true;
    };
    if (!args.once) for (const signal of ["SIGINT", "SIGTERM"] as const) process.once(signal, onSignal);
    try {
      return await runKeeper(hre.ethers, registry, signer, {
        lens,
        once: args.once,
        intervalSeconds: args.interval,
        maxActionsPerVault: args.maxActions,
        pageSize: args.pageSize,
        dryRun: args.dryRun,
        sender,
        metrics,
        provider: custom?.reader,
        shouldStop: () => stop,
        log,
      });
    } catch (error) {
      fail(`keeper scan failed: ${describeError(error)}`);
    } finally {
      for (const signal of ["SIGINT", "SIGTERM"] as const) process.removeListener(signal, onSignal);
      server?.close();
      if (sender.inFlight.size) log(`stopped with ${sender.inFlight.size} transaction(s) in flight: a restart finds them on chain`, { event: "stopped", inFlight: sender.inFlight.size });
      custom?.reader.destroy();
    }
  });
