/**
 * `npm run demo [-- --preset NAME]`: the product's main job on Hardhat's in-process network, no configuration.
 *
 *   npm run demo                           eth-long-3x (default)
 *   npm run demo -- --preset eth-short-2x  the short: USDC collateral, WETH debt
 *   npm run demo -- --preset btc-long-2x   WBTC (8 decimals) collateral, USDC debt
 *   npm run demo -- --preset wsteth-loop   wstETH/WETH at 8x in Aave's ETH-correlated e-mode
 *   npm run demo -- --venue morpho         the same story on Morpho Blue (eth-long-3x, wsteth-loop)
 *
 * Presets by name from scripts/lib/deploy/presets.ts. Under `hardhat run scripts/demo.ts` (no script flags) the
 * preset comes from DEMO_PRESET and the venue from DEMO_VENUE.
 *
 * Deploys the local Aave V3 + Uniswap V3 market (real bytecode), the stack (module, registry, factory, keeper lens)
 * and the preset's vault with a stop-loss written in its reference price (ETH/USD, BTC/USD or the wstETH/ETH rate)
 * and an allow-listed keeper. A user deposits $20,000 of collateral, then the reference price follows a story
 * against the position (a crash for the longs, a rally for the short, a depeg for the loop), moved by real swaps
 * (and the feed); after every step the keeper bot (scripts/lib/keeper/keeper.ts, the same code as
 * `keeper:run --lens`) scans the registry through the KeeperLens and acts where the vault says so.
 * Finally the user redeems everything. For the kinds that run on both venues (eth-long-3x, wsteth-loop), a last step
 * moves a refinanceable vault of the same kind to the other venue and shows the borrow rates before and after.
 */
import hre from "hardhat";
import { MaxUint256, type Contract, type ContractTransactionResponse } from "ethers";
import { ASSET_FIELDS, deployMarket, type Market } from "./lib/market/market";
import { printMarket } from "./lib/market/market-report";
import { fund } from "./lib/market/market-helpers";
import { advanceTimeAllFeeds, referencePrice, setReferencePrice } from "./lib/market/reference-price";
import { localMarketAddresses, localOracleConfig, localTokenContract, toUnits, type PairDecimals, type VaultSettings } from "./lib/deploy/vault";
import { localMorphoMarkets } from "./lib/deploy/morpho-vault";
import { deployMorpho, type MorphoBlue } from "./lib/market/morpho";
import { PresetError, exposureText, getPreset, localDecimals, localPair, presetSettings, type Preset, type PresetName, type Venue } from "./lib/deploy/presets";
import { createVault, deployStack } from "./lib/deploy/deploy";
import { refinanceStep } from "./lib/demo/refinance";
import { keeperPass, type KeeperAction } from "./lib/keeper/keeper";
import { actionName, gas, hf, lev, modeName, table, units, usd } from "./lib/util/format";
import type { ILeveredVault } from "../typechain-types";

/** USD of collateral the user deposits. */
const DEPOSIT_USD = 20_000;

/** `--NAME VALUE` (or `--NAME=VALUE`) from the command line, else the environment variable, else the default. */
function flag(argv: string[], name: string, env: string, fallback: string): string {
  const i = argv.findIndex((a) => a === `--${name}` || a.startsWith(`--${name}=`));
  if (i < 0) return process.env[env] || fallback;
  const value = argv[i].includes("=") ? argv[i].split("=")[1] : argv[i + 1];
  if (!value) throw new PresetError(`--${name} needs a value`);
  return value;
}

function venueOf(argv: string[]): Venue {
  const venue = flag(argv, "venue", "DEMO_VENUE", "aave");
  if (venue !== "aave" && venue !== "morpho") throw new PresetError(`unknown venue '${venue}'; venues: aave, morpho`);
  return venue;
}

type Story = { stop: number; steps: { label: string; at: number }[] };
/** A crash through the stop, then a bounce (the longs); multiples of the starting reference price. */
const CRASH: Story = {
  stop: 0.75,
  steps: [
    { label: "rally +10%", at: 1.1 },
    { label: "dip -3%", at: 1.067 },
    { label: "dip -3%", at: 1.034 },
    { label: "dip -3%", at: 1.001 },
    { label: "dip -3%", at: 0.968 },
    { label: "crash -7%", at: 0.9 },
    { label: "crash -8%", at: 0.825 },
    { label: "crash through stop", at: 0.74 },
    { label: "bounce", at: 0.8 },
  ],
};
/**
 * Each kind's story, one hour before each step (the band cooldown is one hour): the longs crash, the short faces a
 * rally (its stop fires on the way up), the loop a depeg of the wstETH/ETH rate at half a percent an hour.
 */
const STORIES: Record<PresetName, Story> = {
  "eth-long-3x": CRASH,
  "btc-long-2x": CRASH,
  "eth-short-2x": {
    stop: 1.25,
    steps: [
      { label: "dip -5%", at: 0.95 },
      { label: "rally +6%", at: 1.007 },
      { label: "rally +6%", at: 1.0675 },
      { label: "rally +6%", at: 1.1315 },
      { label: "rally +6%", at: 1.1995 },
      { label: "rally through stop", at: 1.28 },
      { label: "pullback", at: 1.225 },
    ],
  },
  "wsteth-loop": {
    stop: 0.97,
    steps: [
      { label: "premium +0.2%", at: 1.002 },
      { label: "depeg -0.5%", at: 0.995 },
      { label: "depeg -0.5%", at: 0.99 },
      { label: "depeg -0.5%", at: 0.985 },
      { label: "depeg -0.5%", at: 0.98 },
      { label: "depeg -0.5%", at: 0.975 },
      { label: "depeg through stop", at: 0.965 },
      { label: "recovery", at: 0.975 },
    ],
  },
};

/** A reference price for the table: dollars, or the rate with 4 decimals. */
const showPrice = (preset: Preset, price: number) =>
  preset.reference === "wstETH/ETH" ? price.toFixed(4) : `$${Math.round(price).toLocaleString("en-US")}`;

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
const headers = (c: string, reference: string) => ["step", reference, "keeper action", "gas", "target", "leverage", "HF", "equity", `NAV ${c}`, `${c}/share`, "mode"];

type Rows = { rows: string[][]; lltv?: bigint };

/** The stack (module, registry, factory, lens) and the vault made by the factory, on Aave. */
async function onAave(market: Market, pair: ReturnType<typeof localPair>, settings: VaultSettings, decimals: PairDecimals, keeper: string, kind: string) {
  const { ethers } = hre;
  const stack = await deployStack(ethers, { markets: localMarketAddresses(market, pair), oracle: localOracleConfig(market, pair), owner: market.deployer });
  const made = await createVault(ethers, stack.factory, market.deployer, {
    settings, decimals, collateralSymbol: pair.collateral, keepers: [keeper], salt: "demo", kind,
  });
  const rows = [
    ["AaveUniswapVaultModule", stack.module.target as string, gas(await gasOf(stack.module.deploymentTransaction()))],
    ["VaultRegistry", stack.registry.target as string, gas(await gasOf(stack.registry.deploymentTransaction()))],
    ["VaultFactory", stack.factory.target as string, gas(await gasOf(stack.factory.deploymentTransaction()))],
    ["KeeperLens", stack.lens.target as string, gas(await gasOf(stack.lens.deploymentTransaction()))],
    [`vault ${settings.symbol} (createVault)`, made.address, gas(made.receipt.gasUsed)],
  ];
  return { stack: { registry: stack.registry, lens: stack.lens }, vault: made.vault, created: { rows } as Rows, blue: undefined as MorphoBlue | undefined };
}

/**
 * Morpho Blue deployed beside Aave, then the same product deployment on it: module, registry, VaultFactory with the
 * Morpho deployer, lens, and the vault created through the factory, so the keeper bot finds it the same way.
 */
async function onMorpho(market: Market, pair: ReturnType<typeof localPair>, settings: VaultSettings, decimals: PairDecimals, keeper: string, kind: string) {
  const { ethers } = hre;
  const blue = await deployMorpho(ethers, market);
  const markets = localMorphoMarkets(market, blue, { ...pair, eMode: false });
  const stack = await deployStack(ethers, { venue: "morpho", markets, oracle: localOracleConfig(market, pair), owner: market.deployer });
  const made = await createVault(ethers, stack.factory, market.deployer, {
    settings, decimals, collateralSymbol: pair.collateral, keepers: [keeper], salt: "demo", kind,
  });
  const rows = [
    ["Morpho Blue", blue.morpho.target as string, gas(await gasOf(blue.morpho.deploymentTransaction()))],
    ["MorphoUniswapVaultModule", stack.module.target as string, gas(await gasOf(stack.module.deploymentTransaction()))],
    ["VaultRegistry", stack.registry.target as string, gas(await gasOf(stack.registry.deploymentTransaction()))],
    ["VaultFactory", stack.factory.target as string, gas(await gasOf(stack.factory.deploymentTransaction()))],
    ["KeeperLens", stack.lens.target as string, gas(await gasOf(stack.lens.deploymentTransaction()))],
    [`vault ${settings.symbol} (createVault)`, made.address, gas(made.receipt.gasUsed)],
  ];
  return { stack: { registry: stack.registry, lens: stack.lens }, vault: made.vault, created: { rows, lltv: markets.lltv } as Rows, blue };
}

async function main() {
  const started = Date.now();
  const argv = process.argv.slice(2);
  const preset: Preset = getPreset(flag(argv, "preset", "DEMO_PRESET", "eth-long-3x"));
  const venue = venueOf(argv);
  await hre.run("compile", { quiet: true }); // a no-op under `hardhat run`; needed when started by ts-node
  if (hre.network.name !== "hardhat") console.warn(`note: running on '${hre.network.name}', not the in-process network`);
  const { ethers } = hre;
  const pair = localPair(preset);
  const dec = localDecimals(preset);
  const C = preset.collateral;
  const story = STORIES[preset.name];

  // --- market and stack ---
  const market: Market = await deployMarket(ethers);
  const start = await referencePrice(market, preset.reference);
  const SETTINGS = presetSettings(preset, { stopLoss: start * story.stop }, { cooldown: 3600 }, venue);
  const { deployer } = market;
  const [alice, keeper] = market.users;
  const collateralToken: Contract = localTokenContract(market, C);
  const deployed = venue === "aave" ? await onAave(market, pair, SETTINGS, dec, keeper.address, preset.name) : await onMorpho(market, pair, SETTINGS, dec, keeper.address, preset.name);
  const { stack, vault, created } = deployed;
  const collateralUsd = Number((await vault.oraclePrices())[0]) / 1e18;
  const DEPOSIT = toUnits((DEPOSIT_USD / collateralUsd).toFixed(Math.min(dec.collateral, 8)), dec.collateral);

  console.log(`Local market (Aave V3 + Uniswap V3 real bytecode) on '${hre.network.name}'\n`);
  await printMarket(market);
  console.log(`\nVault stack (${venue === "aave" ? "Aave V3" : "Morpho Blue, real bytecode from @morpho-org/morpho-blue"})\n`);
  console.log(table(["contract", "address", "deploy gas"], created.rows));
  const stopAt = start * story.stop;
  const inverse = preset.direction === -1;
  console.log(
    `\nPreset ${preset.name}: ${preset.description}\n` +
      `Vault ${SETTINGS.name} (${SETTINGS.symbol}): target ${SETTINGS.targetLeverage}x, band ${SETTINGS.minLeverage}x-${SETTINGS.maxLeverage}x ` +
      `(per unit of equity at the target: ${exposureText(preset, SETTINGS.targetLeverage)}), ` +
      `HF floor ${SETTINGS.minHealthFactor}, ripcord below HF ${SETTINGS.criticalHealthFactor}` +
      (venue === "morpho" ? ` (Morpho Blue market, LLTV ${Number(created.lltv) / 1e16} %)` : pair.eMode ? ` (Aave e-mode ${market.eModeCategory}, "ETH correlated": LT 95 %)` : "") +
      `, stop-loss at ${preset.reference} ${showPrice(preset, stopAt)}` +
      (inverse ? ` (the pair price is ${preset.debt} per ${C}: the stop is ${SETTINGS.stopLossPrice.toPrecision(4)} and fires on a rally)` : "") +
      `; keeper ${keeper.address}\n` +
      `Risks: ${preset.risks.join("; ")}\n` +
      (SETTINGS.volatilityHorizon
        ? `Volatility-aware leverage: the target in force falls so that a ${SETTINGS.sigmaMultiple}-sigma move ` +
          `over ${SETTINGS.volatilityHorizon / 3600} h keeps HF >= 1, sigma from the last ${SETTINGS.volatilityRounds} rounds ` +
          `of the pair's variance feed (${preset.reference}), not below ${SETTINGS.volatilityFloorLeverage}x (column "target"; the band scales with it)`
        : `Volatility-aware leverage off`),
  );

  // --- the user deposits ---
  await fund(market, alice.address, { [ASSET_FIELDS[C].token]: DEPOSIT });
  await (await collateralToken.connect(alice).getFunction("approve")(vault.target, MaxUint256)).wait();
  const depositTx = await vault.connect(alice)["deposit(uint256,address)"](DEPOSIT, alice.address);
  const depositGas = await gasOf(depositTx);
  const shares = await vault.balanceOf(alice.address);
  const depositHealthFactor = (await vault.position()).healthFactor;
  console.log(
    `\nAlice deposits ${units(DEPOSIT, dec.collateral, 4)} ${C} ($${DEPOSIT_USD.toLocaleString("en-US")}) at ${preset.reference} ` +
      `${showPrice(preset, start)}: ${units(shares, dec.collateral + 6, 4)} shares, levered in the same transaction ` +
      `(flash loan + swap), gas ${gas(depositGas)}\n`,
  );
  if (pair.eMode && venue === "aave") {
    const rates = await market.pool.getReserveData(market.weth.target);
    const borrowApr = Number(rates.currentVariableBorrowRate) / 1e25;
    console.log(
      `Carry: the loop earns ${SETTINGS.targetLeverage}x the staking yield and pays ${SETTINGS.targetLeverage - 1}x the WETH ` +
        `borrow rate (now ${borrowApr.toFixed(2)} % a year on the local market): at a 3 % yield it nets ` +
        `${(SETTINGS.targetLeverage * 3 - (SETTINGS.targetLeverage - 1) * borrowApr).toFixed(2)} % a year on equity (vault:status shows it live)\n`,
    );
  }

  // --- the price story, the keeper bot after every step ---
  const rows = [await positionRow(vault, dec.collateral, "after deposit", showPrice(preset, start), "deposit", gas(depositGas))];
  const actionLog: string[] = [];
  for (const step of story.steps) {
    const price = start * step.at;
    await advanceTimeAllFeeds(market, 3600);
    await setReferencePrice(market, preset.reference, price);
    const pass = await keeperPass(ethers, stack.registry.target as string, keeper, {
      lens: stack.lens.target as string,
      log: (line) => actionLog.push(`  ${showPrice(preset, price)} ${line}`),
    });
    const done = pass.actions.filter((a) => a.ok);
    const refused = pass.actions.filter((a) => !a.ok).map((a) => `${a.call} refused: ${a.error}`);
    const action = done.length ? done.map(actionLabel).join(" + ") : refused.join("; ") || "-";
    const gasUsed = done.length ? done.map((a) => gas(a.gasUsed!)).join(" + ") : "";
    rows.push(await positionRow(vault, dec.collateral, step.label, showPrice(preset, price), action, gasUsed));
  }
  console.log(table(headers(C, preset.reference), rows));
  console.log(`\nKeeper bot log (one line per transaction or refusal; the per-scan summaries are left out):`);
  console.log(actionLog.filter((l) => !l.includes("pass:")).join("\n"));
  const { needed, action } = await vault.trigger();
  console.log(
    `\nNow: ${preset.reference} ${showPrice(preset, await referencePrice(market, preset.reference))}, ` +
      `trigger ${needed ? actionName(action) : "none"}, mode ${modeName((await vault.automationState()).mode)}` +
      ` (a stop stays latched at 1x until the manager calls rearm())`,
  );

  // --- the user exits ---
  const before: bigint = await collateralToken.balanceOf(alice.address);
  const redeemTx = await vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address);
  const redeemGas = await gasOf(redeemTx);
  const received = ((await collateralToken.balanceOf(alice.address)) as bigint) - before;
  const finalPrice = start * story.steps[story.steps.length - 1].at;
  const receivedUsd = (Number(received) / 10 ** dec.collateral) * (Number((await vault.oraclePrices())[0]) / 1e18);
  const held = (Number(DEPOSIT) / 10 ** dec.collateral) * (Number((await vault.oraclePrices())[0]) / 1e18);
  const hfNumber = Number(depositHealthFactor) / 1e18;
  // HF ~ 1 when the reference has moved by the HF (down for the longs and the loop, up for the short).
  const liquidationAt = inverse ? start * hfNumber : start / hfNumber;
  console.log(
    `\nAlice redeems all ${units(shares, dec.collateral + 6, 4)} shares: receives ${units(received, dec.collateral, 4)} ${C} ` +
      `(gas ${gas(redeemGas)}), worth $${Math.round(receivedUsd).toLocaleString("en-US")} at ${preset.reference} ${showPrice(preset, finalPrice)} ` +
      `(deposited $${DEPOSIT_USD.toLocaleString("en-US")}; the ${C} deposited, held unlevered: $${Math.round(held).toLocaleString("en-US")}).`,
  );
  console.log(
    `  Without a keeper the ${SETTINGS.targetLeverage}x position opened at ${showPrice(preset, start)} (HF ${hf(depositHealthFactor)}) ` +
      `would have become liquidatable on ${venue === "aave" ? "Aave" : "Morpho"} at about ${preset.reference} ${showPrice(preset, liquidationAt)}; ` +
      `the keeper delevered on the way and the stop at ${showPrice(preset, stopAt)} closed it.`,
  );
  console.log(`\nVault left: ${units(await vault.totalSupply(), dec.collateral + 6)} shares, NAV ${units(await vault.totalAssets(), dec.collateral)} ${C}.`);

  // --- refinancing between venues (the kinds that run on both) ---
  if (Object.keys(preset.venues).length > 1) {
    const blue = deployed.blue ?? (await deployMorpho(ethers, market));
    await refinanceStep(ethers, market, blue, { pair, settings: SETTINGS, decimals: dec, from: venue, depositor: market.users[2], amount: DEPOSIT });
  }
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
