import { expect } from "chai";
import { loadMarketFixture, RESERVE_PARAMS, FEES } from "../shared/market";
import { oraclePriceE8, poolPriceE8 } from "../shared/market-helpers";

describe("market: deployment", () => {
  it("lists WETH and USDC with the configured risk parameters", async () => {
    const m = await loadMarketFixture();
    for (const [token, params] of [
      [m.weth, RESERVE_PARAMS.WETH],
      [m.usdc, RESERVE_PARAMS.USDC],
    ] as const) {
      const c = await m.dataProvider.getReserveConfigurationData(token.target);
      expect(c.ltv).to.equal(params.ltv);
      expect(c.liquidationThreshold).to.equal(params.liquidationThreshold);
      expect(c.liquidationBonus).to.equal(params.liquidationBonus);
      expect(c.reserveFactor).to.equal(params.reserveFactor);
      expect(c.usageAsCollateralEnabled).to.equal(true);
      expect(c.borrowingEnabled).to.equal(true);
      expect(c.stableBorrowRateEnabled).to.equal(false);
      expect(c.isActive && !c.isFrozen).to.equal(true);
      expect(await m.dataProvider.getFlashLoanEnabled(token.target)).to.equal(true);
      const caps = await m.dataProvider.getReserveCaps(token.target);
      expect([caps.borrowCap, caps.supplyCap]).to.deep.equal([0n, 0n]);
    }
    expect(await m.pool.FLASHLOAN_PREMIUM_TOTAL()).to.equal(FEES.flashLoanPremiumBps);
    expect(await m.pool.FLASHLOAN_PREMIUM_TO_PROTOCOL()).to.equal(FEES.flashLoanPremiumToProtocolBps);
  });

  it("seeds Aave liquidity from the lp", async () => {
    const m = await loadMarketFixture();
    expect(await m.aUSDC.balanceOf(m.lp.address)).to.equal(50_000_000n * 10n ** 6n);
    expect(await m.aWETH.balanceOf(m.lp.address)).to.equal(20_000n * 10n ** 18n);
  });

  it("starts oracle and both Uniswap pools at the same ETH price", async () => {
    const m = await loadMarketFixture();
    expect(await oraclePriceE8(m)).to.equal(2000n * 10n ** 8n);
    expect(await m.aaveOracle.getAssetPrice(m.usdc.target)).to.equal(10n ** 8n);
    // The bigint sqrt is floored, so the decoded price may be below by a hair (<1e-8 USD here).
    for (const pool of [m.uniPool500, m.uniPool3000]) {
      expect(await poolPriceE8(m, pool)).to.be.closeTo(2000n * 10n ** 8n, 1n);
    }
    expect((await m.uniPool500.slot0()).observationCardinalityNext).to.equal(200n); // the outage path's 30-min TWAP at 12-s blocks needs 150
  });
});
