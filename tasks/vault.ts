/**
 * User tasks on one vault (imported by hardhat.config.ts):
 *   npx hardhat vault:deposit  --vault <addr> --amount <weth> [--wrap] [--receiver <addr>] [--signer <addr>] [--dry-run]
 *   npx hardhat vault:withdraw --vault <addr> (--amount <weth> | --all) [--receiver <addr>] [--signer <addr>] [--dry-run]
 *   npx hardhat vault:status   --vault <addr> [--account <addr>] [--json] [--keepers-from-block <n>]
 *   npx hardhat vault:list     [--registry <addr>] [--kind <label>] [--venue aave|morpho] [--json]
 * Governance (roles, keepers, pause, stop, timelocked changes) is in tasks/governance.ts, the keeper bot in
 * tasks/keeper.ts. Arguments are validated (zod, tasks/cli.ts) before the chain is touched; every failure is one line,
 * exit code 1. Add `--network <name>`; the signer defaults to the network's first account (DEPLOYER_PRIVATE_KEY on
 * live networks). This file is loaded with the config, so it must not import `hardhat` or load typechain-types at runtime.
 */
import { task } from "hardhat/config";
import { Contract, formatUnits, parseUnits, type ContractTransactionResponse } from "ethers";
import { VENUE_IDS, bytes32Text, decodeMarkets, kindId, venueName } from "../scripts/lib/deploy/venues";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import { readDeploymentRecord } from "../scripts/lib/deploy/deployments";
import { z } from "zod";
import { gas, modeName, units } from "../scripts/lib/util/format";
import { address, amount, checkDecimals, fail, integer, parseArgs } from "./cli";
import { vaultStatus, type StatusResult } from "../scripts/lib/vault/status";
import { DRY_RUN_CALL_NOTE, DRY_RUN_NOTE, eventArgs, onSnapshot, openVault, positionLine, read, send, signerFor } from "./shared";

export { fail };


/** What vault:deposit and vault:withdraw return. */
interface FlowResult {
  assets: bigint;
  shares: bigint;
  gasUsed: bigint;
  /** Empty in a dry run. */
  txHash: string;
  dryRun?: boolean;
  /** Dry run: the vault's leverage and HF after the operation (undefined where the node cannot tell). */
  leverageAfter?: bigint;
  healthFactorAfter?: bigint;
}

export type DepositResult = FlowResult;

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
  allowStopped: z.boolean().default(false),
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
  .addFlag("allowStopped", "deposit even though the vault has taken profit (held at that leverage until re-armed); a stopped-out vault refuses deposits")
  .setAction(async (raw: unknown, hre): Promise<DepositResult> => {
    const args = parseArgs(DepositArgs, raw);
    const signer = await signerFor(hre, args.signer);
    const { vault, asset, assetSymbol, assetDecimals, shareDecimals } = await openVault(hre, args.vault, signer);
    const iface = vault.interface;
    checkDecimals("amount", args.amount, assetDecimals, assetSymbol);
    const receiver = args.receiver ?? signer.address;
    const assets = parseUnits(args.amount, assetDecimals);
    const mode = (await read("automationState()", () => vault.automationState(), iface)).mode;
    if (mode === 1n) {
      // The vault refuses it (VaultStoppedOut): a deposit would be sold into the stop at every holder's cost.
      fail(`vault ${vault.target} is ${modeName(mode)}: deposits are refused until the manager re-arms it (vault:rearm)`);
    } else if (mode !== 0n) {
      const message = `vault ${vault.target} is ${modeName(mode)}: it took profit and stays at the take-profit leverage until the manager re-arms it (vault:rearm)`;
      if (!args.allowStopped) fail(`${message}; pass --allow-stopped to deposit anyway`);
      console.log(`warning: ${message}`);
    }
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

export type WithdrawResult = FlowResult;

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


export type { StatusResult } from "../scripts/lib/vault/status";

const StatusArgs = z.object({
  vault: address("vault"),
  account: address("account").optional(),
  keepersFromBlock: integer("keepers-from-block", 0).default(0),
  aavePool: address("aave-pool").optional(),
  json: z.boolean().default(false),
});

/** The Aave pool of the factory recorded for this network (deployments/<network>.json), if any answers. */
async function recordedAavePool(hre: HardhatRuntimeEnvironment): Promise<string | undefined> {
  const factory = readDeploymentRecord(hre.network.name)?.factory;
  if (!factory) return undefined;
  const f = new Contract(factory, ["function VENUE() view returns (bytes32)", "function markets() view returns (bytes)"], hre.ethers.provider);
  try {
    if ((await f.VENUE()) !== VENUE_IDS.aave) return undefined;
    return decodeMarkets("aave", await f.markets()).aavePool as string;
  } catch {
    return undefined;
  }
}

task("vault:status", "Prints a vault's position, configuration, effective target, governance (timelock, pending changes, keepers), automation and trigger")
  .addParam("vault", "vault address")
  .addOptionalParam("account", "also print this account's shares and their value")
  .addOptionalParam("keepersFromBlock", "first block of the KeeperSet events the keeper list is built from (default 0)")
  .addOptionalParam("aavePool", "the Aave pool to read the carry from, only for a vault without venueRates() (default: the recorded factory's, deployments/<network>.json)")
  .addFlag("json", "print the status as one JSON object (bigints as decimal strings) instead of the text")
  .setAction(async (raw: unknown, hre): Promise<StatusResult> => {
    const args = parseArgs(StatusArgs, raw);
    const { vault, ...tokens } = await openVault(hre, args.vault);
    const aavePool = args.aavePool ?? (await recordedAavePool(hre));
    const { result, lines } = await read("reading the vault's status", () =>
      vaultStatus(vault, hre.ethers.provider, tokens, {
        network: hre.network.name,
        account: args.account,
        keepersFromBlock: args.keepersFromBlock,
        aavePool,
      }),
    );
    if (args.json) console.log(JSON.stringify(result, (_, v) => (typeof v === "bigint" ? v.toString() : v)));
    else for (const line of lines) console.log(line);
    return result;
  });


export interface ListedVault {
  address: string;
  /** The kind label it was registered under. */
  kind: string;
  /** aave / morpho, or the venue id's text for a venue this tooling does not know. */
  venue: string;
  collateralAsset: string;
  debtAsset: string;
  /** Token symbols ("?" where symbol() fails). */
  pair: string;
  factory: string;
}

const ListArgs = z.object({
  registry: address("registry").optional(),
  kind: z
    .string()
    .trim()
    .min(1, { error: "--kind must not be empty" })
    .refine((s) => Buffer.byteLength(s, "utf8") <= 31, { error: "--kind is at most 31 bytes (a bytes32 label)" })
    .optional(),
  venue: z.enum(["aave", "morpho"], { error: "--venue must be aave or morpho" }).optional(),
  json: z.boolean().default(false),
});

const ERC20_SYMBOL = ["function symbol() view returns (string)"];

/** Registry reads of vault:list (the registry's own ABI, no typechain at runtime). */
const REGISTRY_ABI = [
  "function vaultCount() view returns (uint256)",
  "function vaults(uint256 offset, uint256 limit) view returns (address[])",
  "function vaultCountOfKind(bytes32 kind) view returns (uint256)",
  "function vaultsOfKind(bytes32 kind, uint256 offset, uint256 limit) view returns (address[])",
  "function specOf(address vault) view returns ((address collateralAsset, address debtAsset, bytes32 venue, bytes32 kind))",
  "function factoryOf(address vault) view returns (address)",
];
/** Vaults read per registry call. */
const LIST_PAGE = 200;

task("vault:list", "Lists the vaults of a registry with their spec (kind, venue, pair), optionally only one kind and/or venue")
  .addOptionalParam("registry", "VaultRegistry address (default: the one in deployments/<network>.json)")
  .addOptionalParam("kind", "only vaults registered under this kind (e.g. a preset name: eth-long-3x)")
  .addOptionalParam("venue", "only vaults on this venue: aave or morpho")
  .addFlag("json", "print the list as JSON")
  .setAction(async (raw: unknown, hre): Promise<ListedVault[]> => {
    const args = parseArgs(ListArgs, raw);
    const registryAddress = args.registry ?? readDeploymentRecord(hre.network.name)?.registry;
    if (!registryAddress) fail(`--registry is required: no deployments/${hre.network.name}.json records one`);
    const { provider } = hre.ethers;
    if ((await read("getCode()", () => provider.getCode(registryAddress))) === "0x") fail(`--registry ${registryAddress} has no code on '${hre.network.name}'`);
    const registry = new Contract(registryAddress, REGISTRY_ABI, provider);
    const kind = args.kind === undefined ? undefined : kindId(args.kind);
    const count = Number(
      await read("reading the registry's vault count", () => (kind ? registry.vaultCountOfKind(kind) : registry.vaultCount())),
    );
    const addresses: string[] = [];
    for (let offset = 0; offset < count; offset += LIST_PAGE) {
      const page: string[] = await read("reading the registry's vaults", () =>
        kind ? registry.vaultsOfKind(kind, offset, LIST_PAGE) : registry.vaults(offset, LIST_PAGE),
      );
      addresses.push(...page);
    }
    const symbols = new Map<string, Promise<string>>();
    const symbol = (token: string) => {
      if (!symbols.has(token)) symbols.set(token, new Contract(token, ERC20_SYMBOL, provider).symbol().catch(() => "?"));
      return symbols.get(token)!;
    };
    const listed: ListedVault[] = [];
    for (const vault of addresses) {
      const [spec, factory] = await read(`reading the spec of ${vault}`, () => Promise.all([registry.specOf(vault), registry.factoryOf(vault)]));
      const venue = venueName(spec.venue);
      if (args.venue && venue !== args.venue) continue;
      listed.push({
        address: vault,
        kind: bytes32Text(spec.kind),
        venue,
        collateralAsset: spec.collateralAsset,
        debtAsset: spec.debtAsset,
        pair: `${await symbol(spec.collateralAsset)}/${await symbol(spec.debtAsset)}`,
        factory,
      });
    }
    const filter = [args.kind && `kind ${args.kind}`, args.venue && `venue ${args.venue}`].filter(Boolean).join(", ");
    if (args.json) console.log(JSON.stringify(listed));
    else {
      console.log(`${listed.length} vault(s) in registry ${registryAddress}${filter ? ` (${filter})` : ""}`);
      for (const v of listed) console.log(`  ${v.address}  ${v.kind.padEnd(14)} ${v.venue.padEnd(7)} ${v.pair}`);
    }
    return listed;
  });
