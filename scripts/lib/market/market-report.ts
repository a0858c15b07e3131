/** Prints a deployed local market: addresses, reserves (from the data provider), oracle and pool prices. */
import type { Market } from "./market";
import { btcPoolPriceE8, oraclePrice, poolPrice, wstethPoolRatio } from "./market-helpers";

const pct = (bps: bigint) => `${Number(bps) / 100}%`;

export async function printMarket(m: Market): Promise<void> {
  const addresses: Record<string, unknown> = {
    WETH: m.weth.target, USDC: m.usdc.target, WBTC: m.wbtc.target, wstETH: m.wsteth.target,
    PoolAddressesProvider: m.addressesProvider.target, Pool: m.pool.target, PoolConfigurator: m.configurator.target,
    ACLManager: m.aclManager.target, AaveOracle: m.aaveOracle.target, AaveProtocolDataProvider: m.dataProvider.target,
    aWETH: m.aWETH.target, aUSDC: m.aUSDC.target,
    aWBTC: m.aWBTC.target, aWstETH: m.aWstETH.target,
    variableDebtWETH: m.variableDebtWETH.target, variableDebtUSDC: m.variableDebtUSDC.target,
    variableDebtWBTC: m.variableDebtWBTC.target, variableDebtWstETH: m.variableDebtWstETH.target,
    "ETH/USD feed": m.ethUsdFeed.target, "USDC/USD feed": m.usdcUsdFeed.target, "BTC/USD feed": m.btcUsdFeed.target,
    "wstETH/ETH ratio feed": m.wstethEthFeed.target, "wstETH/USD product feed": m.wstethUsdFeed.target,
    UniswapV3Factory: m.uniswapFactory.target, SwapRouter: m.swapRouter.target, QuoterV2: m.quoter.target,
    NonfungiblePositionManager: m.positionManager.target,
    "WETH/USDC 0.05% pool": m.uniPool500.target, "WETH/USDC 0.3% pool": m.uniPool3000.target,
    "WBTC/USDC 0.3% pool": m.uniPoolWbtcUsdc.target, "wstETH/WETH 0.01% pool": m.uniPoolWstethWeth.target,
  };
  console.log("Addresses");
  for (const [name, address] of Object.entries(addresses)) console.log(`  ${name.padEnd(28)} ${address}`);

  console.log("\nReserves (from AaveProtocolDataProvider)");
  for (const token of [m.weth, m.usdc, m.wbtc, m.wsteth]) {
    const c = await m.dataProvider.getReserveConfigurationData(token.target);
    const d = await m.dataProvider.getReserveData(token.target);
    const decimals = Number(c.decimals);
    console.log(
      `  ${await token.symbol()}: LTV ${pct(c.ltv)}, liq. threshold ${pct(c.liquidationThreshold)},` +
        ` bonus ${pct(c.liquidationBonus - 10_000n)}, reserve factor ${pct(c.reserveFactor)},` +
        ` borrowing ${c.borrowingEnabled}, supplied ${Number(d.totalAToken) / 10 ** decimals}`,
    );
  }
  console.log(`  flash loan premium: ${await m.pool.FLASHLOAN_PREMIUM_TOTAL()} bps (to protocol ${await m.pool.FLASHLOAN_PREMIUM_TO_PROTOCOL()})`);

  console.log("\nPrices (USD per ETH)");
  console.log(`  oracle (AaveOracle <- ETH/USD feed): ${await oraclePrice(m)}`);
  console.log(`  Uniswap 0.05% pool: ${await poolPrice(m, m.uniPool500)}  liquidity ${await m.uniPool500.liquidity()}`);
  console.log(`  Uniswap 0.3%  pool: ${await poolPrice(m, m.uniPool3000)}  liquidity ${await m.uniPool3000.liquidity()}`);
  console.log(`  WETH is token0: ${m.wethIsToken0}`);
  console.log(`  BTC/USD oracle ${Number(await m.aaveOracle.getAssetPrice(m.wbtc.target)) / 1e8}, WBTC/USDC pool ${Number(await btcPoolPriceE8(m)) / 1e8}`);
  console.log(`  wstETH/ETH ratio feed ${Number(await m.wstethEthFeed.latestAnswer()) / 1e18}, pool ${Number(await wstethPoolRatio(m)) / 1e18}`);
  console.log(`  e-mode ${m.eModeCategory}: ${JSON.stringify(await m.pool.getEModeCategoryData(m.eModeCategory), (_k, v) => (typeof v === "bigint" ? v.toString() : v))}`);
}
