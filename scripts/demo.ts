/**
 * `npm run demo`: the product's main job on Hardhat's in-process network, no configuration.
 *
 * Deploys the local Aave V3 + Uniswap V3 market (real bytecode), the stack (module, registry, factory, keeper lens)
 * and a 3x WETH/USDC vault with a stop-loss at 75% of the start price and an allow-listed keeper. A user deposits
 * 10 WETH, then the ETH price follows a short story moved by real swaps (and the feed); after every step the keeper
 * bot (scripts/lib/keeper/keeper.ts, the same code as `keeper:run --lens`) scans the registry through the KeeperLens and
 * acts where the vault says so.
 * Finally the user redeems everything.
 */
import hre from "hardhat";
import { MaxUint256, formatEther, parseEther, type ContractTransactionResponse } from "ethers";
import { deployMarket, type Market } from "./lib/market/market";
import { printMarket } from "./lib/market/market-report";
import { advanceTime, fund, oraclePrice, poolPrice, setMarketPrice } from "./lib/market/market-helpers";
import { PRESET_3X, localMarketAddresses, localOracleConfig } from "./lib/deploy/vault";
import { createVault, deployStack } from "./lib/deploy/deploy";
import { keeperPass, type KeeperAction } from "./lib/keeper/keeper";
import { actionName, gas, hf, lev, modeName, table, units, usd } from "./lib/util/format";
import type { ILeveredVault } from "../typechain-types";

const START_PRICE = 2000;
const DEPOSIT = parseEther("10");
const SETTINGS = {
  ...PRESET_3X,
  name: "Levered WETH 3x",
  symbol: "lvWETH3x",
  cooldown: 3600,
  stopLossPrice: START_PRICE * 0.75,
};
/** The price story (USD per ETH); one hour passes before each step (the band cooldown is one hour). */
const STORY: { label: string; price: number }[] = [
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

async function gasOf(tx: ContractTransactionResponse | null | undefined): Promise<bigint> {
  return (await tx?.wait())?.gasUsed ?? 0n;
}

async function positionRow(vault: ILeveredVault, label: string, price: string, action: string, gasUsed: string) {
  const p = await vault.position();
  const shares = await vault.totalSupply();
  const nav = await vault.totalAssets();
  const decimals = await vault.decimals();
  const sharePrice = shares === 0n ? "-" : units(await vault.convertToAssets(10n ** decimals), 18, 4);
  const mode = modeName((await vault.automationState()).mode);
  const [target] = await vault.effectiveTargetLeverage();
  return [label, price, action, gasUsed, lev(target), lev(p.leverage), hf(p.healthFactor), usd(p.equityValue), units(nav, 18, 3), sharePrice, mode];
}
/** The table's name for what a keeper call did; a Poke only raises the trailing stop's high-water mark. */
const actionLabel = (a: KeeperAction) =>
  a.action === "Poke" && a.highWaterMark !== undefined ? `Poke (mark $${units(a.highWaterMark, 18, 0)})` : a.action;
const HEADERS = ["step", "ETH $", "keeper action", "gas", "target", "leverage", "HF", "equity", "NAV WETH", "WETH/share", "mode"];

async function main() {
  const started = Date.now();
  if (hre.network.name !== "hardhat") console.warn(`note: running on '${hre.network.name}', not the in-process network`);
  const { ethers } = hre;

  // --- market and stack ---
  const market: Market = await deployMarket(ethers, { ethPrice: START_PRICE });
  const { deployer } = market;
  const [alice, keeper] = market.users;
  const stack = await deployStack(ethers, {
    markets: localMarketAddresses(market),
    oracle: localOracleConfig(market),
    owner: deployer,
  });
  const created = await createVault(ethers, stack.factory, deployer, {
    settings: SETTINGS,
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
  console.log(
    `\nVault: target ${SETTINGS.targetLeverage}x, band ${SETTINGS.minLeverage}x-${SETTINGS.maxLeverage}x, ` +
      `HF floor ${SETTINGS.minHealthFactor}, ripcord below HF ${SETTINGS.criticalHealthFactor}, ` +
      `stop-loss at $${SETTINGS.stopLossPrice} (75% of $${START_PRICE}); keeper ${keeper.address}\n` +
      `Volatility-aware leverage (the 3x preset): the target in force falls so that a ${SETTINGS.sigmaMultiple}-sigma fall ` +
      `over ${SETTINGS.volatilityHorizon! / 3600} h keeps HF >= 1, sigma from the feed's last ${SETTINGS.volatilityRounds} rounds, ` +
      `not below ${SETTINGS.volatilityFloorLeverage}x (column "target"; the band scales with it)`,
  );

  // --- the user deposits ---
  await fund(market, alice.address, { weth: DEPOSIT });
  await (await market.weth.connect(alice).getFunction("approve")(vault.target, MaxUint256)).wait();
  const depositTx = await vault.connect(alice)["deposit(uint256,address)"](DEPOSIT, alice.address);
  const depositGas = await gasOf(depositTx);
  const shares = await vault.balanceOf(alice.address);
  const depositHealthFactor = (await vault.position()).healthFactor;
  console.log(
    `\nAlice deposits ${formatEther(DEPOSIT)} WETH at $${START_PRICE}: ${units(shares, 24, 4)} shares, ` +
      `levered in the same transaction (flash loan + swap), gas ${gas(depositGas)}\n`,
  );

  // --- the price story, the keeper bot after every step ---
  const rows = [await positionRow(vault, "after deposit", String(START_PRICE), "deposit", gas(depositGas))];
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
    rows.push(await positionRow(vault, step.label, String(step.price), action, gasUsed));
  }
  console.log(table(HEADERS, rows));
  console.log(`\nKeeper bot log (one line per transaction or refusal; the per-scan summaries are left out):`);
  console.log(actionLog.filter((l) => !l.includes("pass:")).join("\n"));
  const { needed, action } = await vault.trigger();
  console.log(
    `\nNow: oracle $${await oraclePrice(market)}, pool $${(await poolPrice(market)).toFixed(2)}, ` +
      `trigger ${needed ? actionName(action) : "none"}, mode ${modeName((await vault.automationState()).mode)}` +
      ` (a stop stays latched at 1x until the manager calls rearm())`,
  );

  // --- the user exits ---
  const before: bigint = await market.weth.balanceOf(alice.address);
  const redeemTx = await vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address);
  const redeemGas = await gasOf(redeemTx);
  const received = ((await market.weth.balanceOf(alice.address)) as bigint) - before;
  const finalPrice = STORY[STORY.length - 1].price;
  const worth = Math.round(Number(formatEther(received)) * finalPrice);
  console.log(
    `\nAlice redeems all ${units(shares, 24, 4)} shares: receives ${units(received, 18, 4)} WETH ` +
      `(gas ${gas(redeemGas)}), worth $${worth.toLocaleString("en-US")} at $${finalPrice}` +
      ` (deposited $${(START_PRICE * 10).toLocaleString("en-US")}; 10 WETH held: $${(finalPrice * 10).toLocaleString("en-US")}).`,
  );
  console.log(
    `  Without a keeper the 3x position opened at $${START_PRICE} (HF ${hf(depositHealthFactor)}) would have become ` +
      `liquidatable on Aave at $${Math.round((START_PRICE * 1e18) / Number(depositHealthFactor))}, before the stop at $${SETTINGS.stopLossPrice}.`,
  );
  console.log(`\nVault left: ${units(await vault.totalSupply(), 24)} shares, NAV ${units(await vault.totalAssets())} WETH.`);
  console.log(`Done in ${((Date.now() - started) / 1000).toFixed(1)} s.`);
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
