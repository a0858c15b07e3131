/** Prints a deployed local market: addresses, reserves (from the data provider), oracle and pool prices. */
import type { Market } from "./market";
import { oraclePrice, poolPrice } from "./market-helpers";

const pct = (bps: bigint) => `${Number(bps) / 100}%`;

export async function printMarket(m: Market): Promise<void> {
  const addresses: Record<string, unknown> = {
    WETH: m.weth.target, USDC: m.usdc.target,
    PoolAddressesProvider: m.addressesProvider.target, Pool: m.pool.target, PoolConfigurator: m.configurator.target,
    ACLManager: m.aclManager.target, AaveOracle: m.aaveOracle.target, AaveProtocolDataProvider: m.dataProvider.target,
    aWETH: m.aWETH.target, aUSDC: m.aUSDC.target,
    variableDebtWETH: m.variableDebtWETH.target, variableDebtUSDC: m.variableDebtUSDC.target,
    "ETH/USD feed": m.ethUsdFeed.target, "USDC/USD feed": m.usdcUsdFeed.target,
    UniswapV3Factory: m.uniswapFactory.target, SwapRouter: m.swapRouter.target, QuoterV2: m.quoter.target,
    NonfungiblePositionManager: m.positionManager.target,
    "WETH/USDC 0.05% pool": m.uniPool500.target, "WETH/USDC 0.3% pool": m.uniPool3000.target,
  };
  console.log("Addresses");
  for (const [name, address] of Object.entries(addresses)) console.log(`  ${name.padEnd(28)} ${address}`);

  console.log("\nReserves (from AaveProtocolDataProvider)");
  for (const token of [m.weth, m.usdc]) {
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
}
