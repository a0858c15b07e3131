import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { keeperWorld } from "../shared/keeper";
import { oraclePriceE8, setMarketPrice, swapPoolTo } from "../shared/market-helpers";
import { plain } from "../shared/structs";
import { PRESET_3X_FIXED } from "../shared/vault";
import { acceptPending } from "../shared/timelock";

const WAD = 10n ** 18n;
const BPS = 10_000n;

/**
 * The trade size of a keeper action is also capped by the pool's active liquidity: no more than moves the price by
 * 1.5x the slippage left after the fee. A deleverage too large for a thin pool then proceeds in fills that each
 * pass the oracle-bounded min out, instead of one swap that the min out refuses.
 */
describe("keeper trade size follows the pool's liquidity", () => {
  const bigVaultThinPool = async () => {
    // A floor of 1.1 keeps the $1,800 deleverage a band action, on the tight (configured) bounds.
    const world = await keeperWorld(
      { ...PRESET_3X_FIXED, minHealthFactor: 1.1, criticalHealthFactor: 1.05, maxTradeSize: 10_000_000, cooldown: 0 },
      parseEther("300"),
    );
    // Trade through the 0.3% pool, about a tenth of the 0.05% pool's depth.
    await (await world.vault.setExecutionConfig({ ...plain(await world.vault.executionConfig()), swapFee: 3000 })).wait();
  await acceptPending(world.vault, world.market);
    return world;
  };

  it("splits a deleverage the thin pool cannot fill at once into fills within the slippage bound", async () => {
    const { vault, market, keeper } = await loadFixture(bigVaultThinPool);
    await setMarketPrice(market, 1800);
    const before = await vault.position();
    const { targetLeverage } = await vault.leverageConfig();
    const repayValue = before.debtValue - (before.equityValue * (targetLeverage - WAD)) / WAD;
    const collateralToSell = (repayValue * WAD) / before.price;

    // One swap of the whole deleverage through this pool would fill below the oracle price minus 1% slippage.
    const [out] = await market.quoter.quoteExactInputSingle.staticCall({
      tokenIn: market.weth.target,
      tokenOut: market.usdc.target,
      amountIn: collateralToSell,
      fee: 3000,
      sqrtPriceLimitX96: 0n,
    });
    const minOut = (((collateralToSell * before.price) / WAD / 10n ** 12n) * (BPS - 100n)) / BPS;
    expect(out).to.be.lt(minOut);

    let previous = before;
    let fills = 0;
    while ((await vault.trigger()).needed && fills < 10) {
      await vault.connect(keeper).rebalance(); // reverts if a fill breaks the min out or a post-condition
      const current = await vault.position();
      expect(current.debt).to.be.lt(previous.debt);
      expect(current.leverage).to.be.lt(previous.leverage);
      previous = current;
      fills++;
      // Each fill moves the thin pool ~1%; arbitrage brings it back to the oracle before the next one (until then
      // the DEX-deviation guard refuses to trade).
      await swapPoolTo(market, market.uniPool3000, await oraclePriceE8(market));
      await mine(); // a view on "latest" reads that block's own swap as a move within the block
    }
    expect(fills).to.be.greaterThan(1);
    expect(previous.leverage).to.be.lte((await vault.leverageConfig()).maxLeverage);
  });
});
