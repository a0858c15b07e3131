/**
 * `npm run demo [-- --preset NAME]`: the product's main job on Hardhat's in-process network, no configuration.
 *
 *   npm run demo                           eth-long-3x (default)
 *   npm run demo -- --preset eth-short-2x  the short: USDC collateral, WETH debt
 *
 * Presets by name from scripts/lib/deploy/presets.ts (btc-long-2x and wsteth-loop are refused with what the local
 * market lacks). Under `hardhat run scripts/demo.ts` (no script flags) the preset comes from DEMO_PRESET.
 *
 * Deploys the local Aave V3 + Uniswap V3 market (real bytecode), the stack (module, registry, factory, keeper lens)
 * and the preset's vault with a stop-loss written as an ETH price (long: 75% of the start price; short: +25%) and an
 * allow-listed keeper. A user deposits $20,000 of collateral (10 WETH, or 20,000 USDC), then the ETH price follows
 * a story against the position (a crash for the long, a rally for the short), moved by real swaps (and the feed);
 * after every step the keeper bot (scripts/lib/keeper/keeper.ts, the same code as `keeper:run --lens`) scans the
 * registry through the KeeperLens and acts where the vault says so.
 * Finally the user redeems everything.
 */
import hre from "hardhat";
import { MaxUint256, type Contract, type ContractTransactionResponse } from "ethers";
import { deployMarket, type Market } from "./lib/market/market";
import { printMarket } from "./lib/market/market-report";
import { advanceTime, fund, oraclePrice, poolPrice, setMarketPrice } from "./lib/market/market-helpers";
import { localMarketAddresses, localOracleConfig, toUnits } from "./lib/deploy/vault";
import { PresetError, ethExposure, getPreset, localDecimals, localPair, presetSettings, type AvailablePreset } from "./lib/deploy/presets";
import { createVault, deployStack } from "./lib/deploy/deploy";
import { keeperPass, type KeeperAction } from "./lib/keeper/keeper";
import { actionName, gas, hf, lev, modeName, table, units, usd } from "./lib/util/format";
import type { ILeveredVault } from "../typechain-types";

const START_PRICE = 2000;
/** USD of collateral the user deposits (10 WETH or 20,000 USDC at the start). */
const DEPOSIT_USD = 20_000;

/** `--preset NAME` (or `--preset=NAME`) from the command line, else DEMO_PRESET, else eth-long-3x. */
function presetName(argv: string[]): string {
  const i = argv.findIndex((a) => a === "--preset" || a.startsWith("--preset="));
  if (i < 0) return process.env.DEMO_PRESET || "eth-long-3x";
  const value = argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  if (!value) throw new PresetError("--preset needs a name: eth-long-3x, eth-short-2x, btc-long-2x, wsteth-loop");
  return value;
}

/** The price story (USD per ETH); one hour passes before each step (the band cooldown is one hour). */
const LONG_STORY: { label: string; price: number }[] = [
  { label: "rally +10%", price: 2200 },
  { label: "dip -3%", price: 2134 },
  { label: "dip -3%", price: 2068 },
  { label: "dip -3%", price: 2002 },
  { label: "dip -3%", price: 1936 },
  { label: "crash -7%", price: 1800 },
  { label: "crash -8%", price: 1650 },
  { label: "crash through stop", price: 1480 },
  { label: "bounce", price: 1600 },
];
/** The short's story: ETH rallies, the move against a short; the stop (an ETH price) fires on the way up. */
const SHORT_STORY: { label: string; price: number }[] = [
  { label: "dip -5%", price: 1900 },
  { label: "rally +6%", price: 2014 },
  { label: "rally +6%", price: 2135 },
  { label: "rally +6%", price: 2263 },
  { label: "rally +6%", price: 2399 },
  { label: "rally through stop", price: 2560 },
  { label: "pullback", price: 2450 },
];
/** ETH/USD stop of each direction: long 75% of the start, short +25%. */
const STOP = { long: START_PRICE * 0.75, short: START_PRICE * 1.25 };

async function gasOf(tx: ContractTransactionResponse | null | undefined): Promise<bigint> {
  return (await tx?.wait())?.gasUsed ?? 0n;
}

async function positionRow(vault: ILeveredVault, cDecimals: number, label: string, price: string, action: string, gasUsed: string) {
  const p = await vault.position();
  const shares = await vault.totalSupply();
  const nav = await vault.totalAssets();
  const decimals = await vault.decimals();
  const sharePrice = shares === 0n ? "-" : units(await vault.convertToAssets(10n ** decimals), cDecimals, 4);
  const mode = modeName((await vault.automationState()).mode);
  const [target] = await vault.effectiveTargetLeverage();
  return [label, price, action, gasUsed, lev(target), lev(p.leverage), hf(p.healthFactor), usd(p.equityValue), units(nav, cDecimals, 3), sharePrice, mode];
}
/** The table's name for what a keeper call did; a Poke only raises the trailing stop's high-water mark. */
const actionLabel = (a: KeeperAction) =>
  a.action === "Poke" && a.highWaterMark !== undefined ? `Poke (mark $${units(a.highWaterMark, 18, 0)})` : a.action;
const headers = (c: string) => ["step", "ETH $", "keeper action", "gas", "target", "leverage", "HF", "equity", `NAV ${c}`, `${c}/share`, "mode"];

async function main() {
  const started = Date.now();
  const preset: AvailablePreset = getPreset(presetName(process.argv.slice(2)));
  await hre.run("compile", { quiet: true }); // a no-op under `hardhat run`; needed when started by ts-node
  if (hre.network.name !== "hardhat") console.warn(`note: running on '${hre.network.name}', not the in-process network`);
  const { ethers } = hre;
  const long = preset.direction === 1;
  const pair = localPair(preset);
  const dec = localDecimals(preset);
  const C = preset.collateral;
  const SETTINGS = presetSettings(preset, { stopLoss: long ? STOP.long : STOP.short }, { cooldown: 3600 });
  const STORY = long ? LONG_STORY : SHORT_STORY;
  const collateralUsd = C === "WETH" ? START_PRICE : 1;
  const DEPOSIT = toUnits(DEPOSIT_USD / collateralUsd, dec.collateral);

  // --- market and stack ---
  const market: Market = await deployMarket(ethers, { ethPrice: START_PRICE });
  const { deployer } = market;
  const [alice, keeper] = market.users;
  const stack = await deployStack(ethers, {
    markets: localMarketAddresses(market, pair),
    oracle: localOracleConfig(market, pair),
    owner: deployer,
  });
  const collateralToken: Contract = C === "WETH" ? market.weth : market.usdc;
  const created = await createVault(ethers, stack.factory, deployer, {
    settings: SETTINGS,
    decimals: dec,
    collateralSymbol: C,
    keepers: [keeper.address],
    salt: "demo",
  });
  const { vault } = created;

  console.log(`Local market (Aave V3 + Uniswap V3 real bytecode) on '${hre.network.name}'\n`);
  await printMarket(market);
  console.log(`\nVault stack\n`);
  console.log(
    table(
      ["contract", "address", "deploy gas"],
      [
        ["AaveUniswapVaultModule", stack.module.target as string, gas(await gasOf(stack.module.deploymentTransaction()))],
        ["VaultRegistry", stack.registry.target as string, gas(await gasOf(stack.registry.deploymentTransaction()))],
        ["AaveUniswapVaultFactory", stack.factory.target as string, gas(await gasOf(stack.factory.deploymentTransaction()))],
        ["KeeperLens", stack.lens.target as string, gas(await gasOf(stack.lens.deploymentTransaction()))],
        [`vault ${SETTINGS.symbol} (createVault)`, created.address, gas(created.receipt.gasUsed)],
      ],
    ),
  );
  const stopEth = long ? STOP.long : STOP.short;
  console.log(
    `\nPreset ${preset.name}: ${preset.description}\n` +
      `Vault ${SETTINGS.name} (${SETTINGS.symbol}): target ${SETTINGS.targetLeverage}x, band ${SETTINGS.minLeverage}x-${SETTINGS.maxLeverage}x ` +
      `(ETH exposure per unit of equity ${ethExposure(preset.direction, SETTINGS.targetLeverage)}x at the target), ` +
      `HF floor ${SETTINGS.minHealthFactor}, ripcord below HF ${SETTINGS.criticalHealthFactor}, ` +
      (long
        ? `stop-loss at ETH $${stopEth} (75% of $${START_PRICE})`
        : `stop-loss at ETH $${stopEth} (+25%; the pair price is WETH per USDC, so the stop is ${SETTINGS.stopLossPrice} WETH/USDC and fires on a rally)`) +
      `; keeper ${keeper.address}\n` +
      (SETTINGS.volatilityHorizon
        ? `Volatility-aware leverage (the 3x preset): the target in force falls so that a ${SETTINGS.sigmaMultiple}-sigma fall ` +
          `over ${SETTINGS.volatilityHorizon / 3600} h keeps HF >= 1, sigma from the feed's last ${SETTINGS.volatilityRounds} rounds, ` +
          `not below ${SETTINGS.volatilityFloorLeverage}x (column "target"; the band scales with it)`
        : `Volatility-aware leverage off: the vault reads sigma from the collateral feed only (USDC/USD, sigma ~ 0), which says nothing about ETH`),
  );

  // --- the user deposits ---
  await fund(market, alice.address, C === "WETH" ? { weth: DEPOSIT } : { usdc: DEPOSIT });
  await (await collateralToken.connect(alice).getFunction("approve")(vault.target, MaxUint256)).wait();
  const depositTx = await vault.connect(alice)["deposit(uint256,address)"](DEPOSIT, alice.address);
  const depositGas = await gasOf(depositTx);
  const shares = await vault.balanceOf(alice.address);
  const depositHealthFactor = (await vault.position()).healthFactor;
  console.log(
    `\nAlice deposits ${units(DEPOSIT, dec.collateral, 2)} ${C} at ETH $${START_PRICE}: ${units(shares, dec.collateral + 6, 4)} shares, ` +
      `levered in the same transaction (flash loan + swap), gas ${gas(depositGas)}\n`,
  );

  // --- the price story, the keeper bot after every step ---
  const rows = [await positionRow(vault, dec.collateral, "after deposit", String(START_PRICE), "deposit", gas(depositGas))];
  const actionLog: string[] = [];
  for (const step of STORY) {
    await advanceTime(3600, market);
    await setMarketPrice(market, step.price);
    const pass = await keeperPass(ethers, stack.registry.target as string, keeper, {
      lens: stack.lens.target as string,
      log: (line) => actionLog.push(`  $${step.price} ${line}`),
    });
    const done = pass.actions.filter((a) => a.ok);
    const refused = pass.actions.filter((a) => !a.ok).map((a) => `${a.call} refused: ${a.error}`);
    const action = done.length ? done.map(actionLabel).join(" + ") : refused.join("; ") || "-";
    const gasUsed = done.length ? done.map((a) => gas(a.gasUsed!)).join(" + ") : "";
    rows.push(await positionRow(vault, dec.collateral, step.label, String(step.price), action, gasUsed));
  }
  console.log(table(headers(C), rows));
  console.log(`\nKeeper bot log (one line per transaction or refusal; the per-scan summaries are left out):`);
  console.log(actionLog.filter((l) => !l.includes("pass:")).join("\n"));
  const { needed, action } = await vault.trigger();
  console.log(
    `\nNow: oracle $${await oraclePrice(market)}, pool $${(await poolPrice(market)).toFixed(2)}, ` +
      `trigger ${needed ? actionName(action) : "none"}, mode ${modeName((await vault.automationState()).mode)}` +
      ` (a stop stays latched at 1x until the manager calls rearm())`,
  );

  // --- the user exits ---
  const before: bigint = await collateralToken.balanceOf(alice.address);
  const redeemTx = await vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address);
  const redeemGas = await gasOf(redeemTx);
  const received = ((await collateralToken.balanceOf(alice.address)) as bigint) - before;
  const finalPrice = STORY[STORY.length - 1].price;
  const liquidationEth = long
    ? Math.round((START_PRICE * 1e18) / Number(depositHealthFactor))
    : Math.round((START_PRICE * Number(depositHealthFactor)) / 1e18);
  if (!long) {
    const usdcBack = Number(received) / 10 ** dec.collateral;
    console.log(
      `\nAlice redeems all ${units(shares, dec.collateral + 6, 4)} shares: receives ${units(received, dec.collateral, 2)} USDC ` +
        `(gas ${gas(redeemGas)}): ${(((usdcBack - DEPOSIT_USD) / DEPOSIT_USD) * 100).toFixed(1)}% on $${DEPOSIT_USD.toLocaleString("en-US")} ` +
        `while ETH went $${START_PRICE} -> $${finalPrice}. The stop left the vault at 1x (USDC only, no ETH exposure), so ` +
        `the pullback after it is not recaptured until the manager re-arms.`,
    );
    console.log(
      `  Without a keeper the 2x short opened at ETH $${START_PRICE} (HF ${hf(depositHealthFactor)}) would have become ` +
        `liquidatable on Aave at ETH $${liquidationEth}; the stop at ETH $${stopEth} closed it first.`,
    );
    console.log(`\nVault left: ${units(await vault.totalSupply(), dec.collateral + 6)} shares, NAV ${units(await vault.totalAssets(), dec.collateral)} ${C}.`);
    console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
    return;
  }
  const worth = Math.round((Number(received) / 1e18) * finalPrice);
  console.log(
    `\nAlice redeems all ${units(shares, dec.collateral + 6, 4)} shares: receives ${units(received, 18, 4)} WETH ` +
      `(gas ${gas(redeemGas)}), worth $${worth.toLocaleString("en-US")} at $${finalPrice}` +
      ` (deposited $${(START_PRICE * 10).toLocaleString("en-US")}; 10 WETH held: $${(finalPrice * 10).toLocaleString("en-US")}).`,
  );
  console.log(
    `  Without a keeper the 3x position opened at $${START_PRICE} (HF ${hf(depositHealthFactor)}) would have become ` +
      `liquidatable on Aave at $${liquidationEth}, before the stop at $${SETTINGS.stopLossPrice}.`,
  );
  console.log(`\nVault left: ${units(await vault.totalSupply(), 24)} shares, NAV ${units(await vault.totalAssets())} WETH.`);
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error) => {
  if (error instanceof PresetError) {
    console.error(`demo: ${error.message}`);
    process.exitCode = 2;
    return;
  }
  console.error(error);
  process.exitCode = 1;
});
