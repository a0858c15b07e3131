/**
 * Operator and user tasks (imported by hardhat.config.ts):
 *   npx hardhat vault:deposit  --vault <addr> --amount <weth> [--wrap] [--receiver <addr>] [--signer <addr>]
 *   npx hardhat vault:withdraw --vault <addr> (--amount <weth> | --all) [--receiver <addr>] [--signer <addr>]
 *   npx hardhat vault:status   --vault <addr> [--account <addr>]
 *   npx hardhat vault:set-keeper --vault <addr> --keeper <addr> [--remove]   (manager only)
 *   npx hardhat keeper:run     --registry <addr> [--lens <addr>] [--interval <s>] [--once] [--max-actions <n>]
 *                              [--page-size <n>] [--signer <addr>]
 * Add `--network <name>`; the signer defaults to the network's first account (DEPLOYER_PRIVATE_KEY on live networks).
 * This file is loaded with the config, so it must not import `hardhat` or load typechain-types at runtime.
 */
import { task, types } from "hardhat/config";
import { HardhatPluginError } from "hardhat/plugins";
import type { HardhatRuntimeEnvironment } from "hardhat/types";
import type { HardhatEthersSigner } from "@nomicfoundation/hardhat-ethers/signers";
import { Contract, MaxUint256, formatUnits, getAddress, parseUnits, type ContractTransactionReceipt, type ContractTransactionResponse } from "ethers";
import type { ILeveredVault } from "../typechain-types";
import { actionName, describeError, gas, hf, lev, modeName, table, units, usd } from "../scripts/lib/format";
import { runKeeper, type KeeperPassResult } from "../scripts/lib/keeper";
import { deploymentsFile, readDeploymentRecord } from "../scripts/lib/deployments";

/** A user error: printed as one line, without a stack trace. */
function fail(message: string): never {
  throw new HardhatPluginError("levered-vaults", message);
}

/** Sends and waits; a revert becomes a one-line error naming the vault's custom error. */
async function send(what: string, tx: () => Promise<ContractTransactionResponse>): Promise<ContractTransactionReceipt> {
  try {
    return (await (await tx()).wait())!;
  } catch (error) {
    fail(`${what} failed: ${describeError(error)}`);
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

async function signerFor(hre: HardhatRuntimeEnvironment, address?: string): Promise<HardhatEthersSigner> {
  if (address) return hre.ethers.getSigner(getAddress(address));
  const [first] = await hre.ethers.getSigners();
  if (!first) fail(`no account configured for network '${hre.network.name}': set DEPLOYER_PRIVATE_KEY`);
  return first;
}

async function openVault(hre: HardhatRuntimeEnvironment, address: string, signer?: HardhatEthersSigner) {
  const vault = (await hre.ethers.getContractAt("ILeveredVault", getAddress(address), signer)) as unknown as ILeveredVault;
  if ((await hre.ethers.provider.getCode(vault.target as string)) === "0x") fail(`no contract at ${address}`);
  const asset = new Contract(await vault.asset(), ERC20_ABI, signer ?? hre.ethers.provider);
  const debt = new Contract(await vault.debtAsset(), ERC20_ABI, hre.ethers.provider);
  const [assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals] = await Promise.all([
    asset.symbol() as Promise<string>,
    asset.decimals().then(Number) as Promise<number>,
    debt.symbol() as Promise<string>,
    debt.decimals().then(Number) as Promise<number>,
    vault.decimals().then(Number),
  ]);
  return { vault, asset, assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals };
}

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
  txHash: string;
}

task("vault:deposit", "Deposits collateral (WETH) into a vault; it is levered to target in the same transaction")
  .addParam("vault", "vault address")
  .addParam("amount", "collateral to deposit, in tokens (e.g. 1.5)")
  .addOptionalParam("receiver", "who gets the shares (default: the signer)")
  .addOptionalParam("signer", "account to send from (default: first account)")
  .addFlag("wrap", "wrap native ETH into WETH (WETH9.deposit) for whatever the WETH balance lacks")
  .setAction(async (args: { vault: string; amount: string; receiver?: string; signer?: string; wrap: boolean }, hre) => {
    const signer = await signerFor(hre, args.signer);
    const { vault, asset, assetSymbol, assetDecimals, shareDecimals } = await openVault(hre, args.vault, signer);
    const receiver = args.receiver ? getAddress(args.receiver) : signer.address;
    const amount = parseUnits(args.amount, assetDecimals);
    if (amount === 0n) fail("--amount must be > 0");
    const room = await vault.maxDeposit(receiver);
    if (amount > room) fail(`vault accepts at most ${formatUnits(room, assetDecimals)} ${assetSymbol} now (cap or paused)`);

    const balance: bigint = await asset.balanceOf(signer.address);
    if (balance < amount) {
      if (!args.wrap) {
        fail(`balance ${formatUnits(balance, assetDecimals)} ${assetSymbol} < ${args.amount}: fund the account or pass --wrap`);
      }
      console.log(`wrapping ${formatUnits(amount - balance, assetDecimals)} ETH into ${assetSymbol}`);
      await send("wrap", () => asset.deposit({ value: amount - balance }));
    }
    if ((await asset.allowance(signer.address, vault.target)) < amount) {
      await send("approve", () => asset.approve(vault.target, amount));
    }
    const preview = await vault.previewDeposit(amount);
    const receipt = await send("deposit", () => vault["deposit(uint256,address)"](amount, receiver));
    const shares: bigint = eventArgs(vault, receipt, "Deposit")?.shares ?? 0n;
    const p = await vault.position();
    console.log(
      `deposited ${args.amount} ${assetSymbol} for ${units(shares, shareDecimals)} shares (preview ${units(preview, shareDecimals)}) ` +
        `to ${receiver}; gas ${gas(receipt.gasUsed)}, tx ${receipt.hash}`,
    );
    console.log(`vault now: leverage ${lev(p.leverage)}, HF ${hf(p.healthFactor)}, equity ${usd(p.equityValue)}`);
    return { assets: amount, shares, gasUsed: receipt.gasUsed, txHash: receipt.hash } satisfies DepositResult;
  });

export interface WithdrawResult {
  assets: bigint;
  shares: bigint;
  gasUsed: bigint;
  txHash: string;
}

task("vault:withdraw", "Withdraws collateral from a vault (its slice of the position is unwound in the same transaction)")
  .addParam("vault", "vault address")
  .addOptionalParam("amount", "collateral to receive, in tokens")
  .addFlag("all", "redeem every share the signer holds")
  .addOptionalParam("receiver", "who gets the collateral (default: the signer)")
  .addOptionalParam("signer", "share holder to send from (default: first account)")
  .setAction(async (args: { vault: string; amount?: string; all: boolean; receiver?: string; signer?: string }, hre) => {
    if (args.all === (args.amount !== undefined)) fail("pass exactly one of --amount <tokens> or --all");
    const signer = await signerFor(hre, args.signer);
    const { vault, asset, assetSymbol, assetDecimals, shareDecimals } = await openVault(hre, args.vault, signer);
    const receiver = args.receiver ? getAddress(args.receiver) : signer.address;
    const before: bigint = await asset.balanceOf(receiver);
    let receipt: ContractTransactionReceipt;
    if (args.all) {
      const shares = await vault.balanceOf(signer.address);
      if (shares === 0n) fail(`${signer.address} holds no shares of ${args.vault}`);
      console.log(`redeeming ${units(shares, shareDecimals)} shares (preview ${units(await vault.previewRedeem(shares), assetDecimals)} ${assetSymbol})`);
      receipt = await send("redeem", () => vault["redeem(uint256,address,address)"](shares, receiver, signer.address));
    } else {
      const amount = parseUnits(args.amount!, assetDecimals);
      const max = await vault.maxWithdraw(signer.address);
      if (amount > max) fail(`at most ${formatUnits(max, assetDecimals)} ${assetSymbol} can be withdrawn now`);
      receipt = await send("withdraw", () => vault["withdraw(uint256,address,address)"](amount, receiver, signer.address));
    }
    const event = eventArgs(vault, receipt, "Withdraw");
    const received = ((await asset.balanceOf(receiver)) as bigint) - before;
    console.log(
      `withdrew ${units(received, assetDecimals)} ${assetSymbol} to ${receiver} for ${units(event?.shares ?? 0n, shareDecimals)} shares; ` +
        `gas ${gas(receipt.gasUsed)}, tx ${receipt.hash}`,
    );
    console.log(`shares left: ${units(await vault.balanceOf(signer.address), shareDecimals)}`);
    return { assets: received, shares: event?.shares ?? 0n, gasUsed: receipt.gasUsed, txHash: receipt.hash } satisfies WithdrawResult;
  });

task("vault:status", "Prints a vault's position, configuration, automation state and trigger")
  .addParam("vault", "vault address")
  .addOptionalParam("account", "also print this account's shares and their value")
  .setAction(async (args: { vault: string; account?: string }, hre) => {
    const { vault, assetSymbol, assetDecimals, debtSymbol, debtDecimals, shareDecimals } = await openVault(hre, args.vault);
    const [name, symbol, p, totalAssets, totalSupply, leverage, execution, automation, exits, state, trig] = await Promise.all([
      vault.name(),
      vault.symbol(),
      vault.position(),
      vault.totalAssets(),
      vault.totalSupply(),
      vault.leverageConfig(),
      vault.executionConfig(),
      vault.automationConfig(),
      vault.exitConfig(),
      vault.automationState(),
      vault.trigger(),
    ]);
    const [owner, manager, guardian, paused] = await Promise.all([vault.owner(), vault.manager(), vault.guardian(), vault.depositsPaused()]);
    const sharePrice = totalSupply === 0n ? 0n : await vault.convertToAssets(10n ** BigInt(shareDecimals));
    const price = (x: bigint) => (x === 0n ? "off" : `${units(x, 18, 2)} ${debtSymbol}/${assetSymbol}`);
    const bps = (x: bigint) => `${Number(x) / 100}%`;
    const now = (await hre.ethers.provider.getBlock("latest"))!.timestamp;
    const readyAt = Number(state.lastRebalanceAt) + Number(automation.cooldown);

    console.log(`${name} (${symbol}) at ${vault.target} on '${hre.network.name}'`);
    console.log(`  roles: owner ${owner}, manager ${manager}, guardian ${guardian}; deposits ${paused ? "PAUSED" : "open"}`);
    console.log("\nPosition (oracle prices)");
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
          ["NAV (totalAssets)", `${units(totalAssets, assetDecimals)} ${assetSymbol}`],
          ["shares", units(totalSupply, shareDecimals)],
          ["share price", `${units(sharePrice, assetDecimals, 6)} ${assetSymbol}`],
        ],
      ),
    );
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
    console.log(
      `  trigger: ${trig.needed ? `${actionName(trig.action)} due -> keeper calls rebalance()` : "nothing to do"}; ` +
        `ripcord ${p.healthFactor < automation.criticalHealthFactor ? "ARMED (anyone may call ripcord())" : "not armed"}`,
    );
    let account: { address: string; shares: bigint; assets: bigint } | undefined;
    if (args.account) {
      const address = getAddress(args.account);
      const shares = await vault.balanceOf(address);
      const assets = await vault.previewRedeem(shares);
      account = { address, shares, assets };
      console.log(`\nAccount ${address}: ${units(shares, shareDecimals)} shares, redeemable now for ~${units(assets, assetDecimals)} ${assetSymbol}`);
    }
    return { position: p, totalAssets, totalSupply, sharePrice, trigger: { needed: trig.needed, action: trig.action }, mode: state.mode, account };
  });

task("vault:set-keeper", "Manager only: allow-lists (or with --remove, removes) a keeper, e.g. a Chainlink upkeep forwarder")
  .addParam("vault", "vault address")
  .addParam("keeper", "keeper address")
  .addFlag("remove", "remove instead of add")
  .addOptionalParam("signer", "the vault's manager (default: first account)")
  .setAction(async (args: { vault: string; keeper: string; remove: boolean; signer?: string }, hre) => {
    const signer = await signerFor(hre, args.signer);
    const { vault } = await openVault(hre, args.vault, signer);
    const keeper = getAddress(args.keeper);
    const manager = await vault.manager();
    if (manager !== signer.address) fail(`only the manager ${manager} can set keepers (signer is ${signer.address})`);
    const receipt = await send("setKeeper", () => vault.setKeeper(keeper, !args.remove));
    console.log(`${keeper} ${args.remove ? "removed from" : "allow-listed on"} ${vault.target}; tx ${receipt.hash}`);
    return vault.isKeeper(keeper);
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

task("keeper:run", "Keeper bot: scans every vault in a registry and runs the actions their triggers report")
  .addParam("registry", "VaultRegistry address")
  .addOptionalParam(
    "lens",
    "KeeperLens address (default: the one recorded for the registry in deployments/<network>.json; " +
      "without one, trigger() is called per vault)",
  )
  .addOptionalParam("interval", "seconds between scans", 60, types.int)
  .addOptionalParam("maxActions", "calls per vault and scan (chunked unwinds)", 10, types.int)
  .addOptionalParam("pageSize", "vaults per lens eth_call (or per registry page without a lens)", 100, types.int)
  .addOptionalParam("signer", "keeper account (default: first account); must be allow-listed for rebalance()")
  .addFlag("once", "run a single scan and exit")
  .setAction(
    async (
      args: {
        registry: string;
        lens?: string;
        interval: number;
        maxActions: number;
        pageSize: number;
        signer?: string;
        once: boolean;
      },
      hre,
    ): Promise<KeeperPassResult[]> => {
      if (args.pageSize < 1) fail("--page-size must be >= 1");
      const signer = await signerFor(hre, args.signer);
      const registry = getAddress(args.registry);
      if ((await hre.ethers.provider.getCode(registry)) === "0x") fail(`no contract at ${registry}`);
      const log = (line: string) => console.log(`[${new Date().toISOString()}] ${line}`);
      log(`keeper ${signer.address} on '${hre.network.name}', registry ${registry}${args.once ? ", one scan" : `, every ${args.interval} s`}`);
      const lens = await keeperLens(hre, registry, args.lens, log);
      let stop = false;
      const onSignal = () => {
        log("stopping after this scan");
        stop = true;
      };
      if (!args.once) process.once("SIGINT", onSignal);
      try {
        return await runKeeper(hre.ethers, registry, signer, {
          lens,
          once: args.once,
          intervalSeconds: args.interval,
          maxActionsPerVault: args.maxActions,
          pageSize: args.pageSize,
          shouldStop: () => stop,
          log,
        });
      } catch (error) {
        fail(`keeper scan failed: ${describeError(error)}`);
      } finally {
        process.removeListener("SIGINT", onSignal);
      }
    },
  );
