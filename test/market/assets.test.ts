import { expect } from "chai";
import hre from "hardhat";
import { MaxUint256, parseEther, parseUnits, type Contract } from "ethers";
import { time } from "@nomicfoundation/hardhat-network-helpers";
import type { MockAggregator, ProductFeed } from "../../typechain-types";
import { AAVE_SEED } from "../../scripts/lib/market/market-config";
import { EMODE_ETH, loadMarketFixture, RESERVE_PARAMS, type Market } from "../shared/market";
import {
  btcPoolPriceE8, connectAs, fund, moveWstethPoolOnly, poolPriceOf, setBtcPrice, setWstethRatio, wstethPoolRatio,
} from "../shared/market-helpers";

const E8 = 10n ** 8n;
const WAD = 10n ** 18n;

/** Exact-input swap of `amountIn` through the router by the arbitrageur; returns the pool's price move in bps (signed). */
async function priceImpactBps(m: Market, uniPool: Contract, tokenIn: Contract, tokenOut: Contract, amountIn: bigint): Promise<number> {
  const before = await poolPriceOf(m, uniPool);
  await (
    await connectAs(m.swapRouter, m.arbitrageur).exactInputSingle({
      tokenIn: tokenIn.target, tokenOut: tokenOut.target, fee: await uniPool.fee(), recipient: m.arbitrageur.address,
      deadline: MaxUint256, amountIn, amountOutMinimum: 0n, sqrtPriceLimitX96: 0n,
    })
  ).wait();
  const after = await poolPriceOf(m, uniPool);
  return (Number(after - before) / Number(before)) * 10_000;
}

describe("market: WBTC, wstETH and the ETH-correlated e-mode", () => {
  describe("WBTC", () => {
    it("is an 8-decimal Aave reserve with mainnet-like risk parameters, seeded by the lp", async () => {
      const m = await loadMarketFixture();
      expect([await m.wbtc.name(), await m.wbtc.symbol(), await m.wbtc.decimals()]).to.deep.equal(["Wrapped BTC", "WBTC", 8n]);
      const c = await m.dataProvider.getReserveConfigurationData(m.wbtc.target);
      expect(c.decimals).to.equal(8n);
      expect(c.ltv).to.equal(RESERVE_PARAMS.WBTC.ltv).and.to.equal(7300n);
      expect(c.liquidationThreshold).to.equal(7800n);
      expect(c.liquidationBonus).to.equal(10500n);
      expect(c.reserveFactor).to.equal(2000n);
      expect(c.borrowingEnabled && c.usageAsCollateralEnabled).to.equal(true);
      expect(await m.dataProvider.getFlashLoanEnabled(m.wbtc.target)).to.equal(true);
      expect(await m.aWBTC.balanceOf(m.lp.address)).to.equal(AAVE_SEED.wbtc);
    });

    it("is priced by the BTC/USD feed through the AaveOracle, and the pool starts at the feed", async () => {
      const m = await loadMarketFixture();
      expect(await m.btcUsdFeed.decimals()).to.equal(8n);
      expect(await m.aaveOracle.getAssetPrice(m.wbtc.target)).to.equal(60_000n * E8);
      expect(await btcPoolPriceE8(m)).to.be.closeTo(60_000n * E8, 1n);
      expect(await m.uniPoolWbtcUsdc.fee()).to.equal(3000n);
    });

    it("setBtcPrice moves the WBTC/USDC pool with swaps, then the feed", async () => {
      const m = await loadMarketFixture();
      await setBtcPrice(m, 52_000);
      expect(await btcPoolPriceE8(m)).to.be.closeTo(52_000n * E8, 1n);
      expect(await m.aaveOracle.getAssetPrice(m.wbtc.target)).to.equal(52_000n * E8);
      await setBtcPrice(m, 70_000n * E8);
      expect(await btcPoolPriceE8(m)).to.be.closeTo(70_000n * E8, 1n);
    });

    it("is deep: a $100k trade moves the pool about 0.1 %", async () => {
      const m = await loadMarketFixture();
      const bps = await priceImpactBps(m, m.uniPoolWbtcUsdc, m.usdc, m.wbtc, parseUnits("100000", 6));
      expect(bps).to.be.within(5, 20);
    });
  });

  describe("wstETH", () => {
    it("is a rate-bearing 18-decimal reserve (LTV 78.5 %, LT 81 %), seeded by the lp", async () => {
      const m = await loadMarketFixture();
      expect(await m.wsteth.decimals()).to.equal(18n);
      expect(await m.wsteth.stEthPerToken()).to.equal(115n * 10n ** 16n);
      const c = await m.dataProvider.getReserveConfigurationData(m.wsteth.target);
      expect([c.ltv, c.liquidationThreshold, c.liquidationBonus, c.reserveFactor]).to.deep.equal([7850n, 8100n, 10600n, 1500n]);
      expect(c.borrowingEnabled).to.equal(true);
      expect(await m.dataProvider.getFlashLoanEnabled(m.wsteth.target)).to.equal(true);
      expect(await m.aWstETH.balanceOf(m.lp.address)).to.equal(AAVE_SEED.wsteth);
    });

    it("is priced ratio * ETH/USD through the product feed registered in the AaveOracle", async () => {
      const m = await loadMarketFixture();
      expect(await m.aaveOracle.getSourceOfAsset(m.wsteth.target)).to.equal(m.wstethUsdFeed.target);
      expect(await m.aaveOracle.getAssetPrice(m.wsteth.target)).to.equal(2300n * E8); // 1.15 * 2000
      expect(await wstethPoolRatio(m)).to.be.closeTo(115n * 10n ** 16n, 10n ** 6n);
      expect(await m.uniPoolWstethWeth.fee()).to.equal(100n);
    });

    it("setWstethRatio moves the pool, the ratio feed and the token rate together", async () => {
      const m = await loadMarketFixture();
      await setWstethRatio(m, 1.2);
      expect(await wstethPoolRatio(m)).to.be.closeTo(12n * 10n ** 17n, 10n ** 6n);
      expect(await m.wstethEthFeed.latestAnswer()).to.equal(12n * 10n ** 17n);
      expect(await m.wsteth.stEthPerToken()).to.equal(12n * 10n ** 17n);
      expect(await m.aaveOracle.getAssetPrice(m.wsteth.target)).to.equal(2400n * E8);
    });

    it("the wstETH/WETH pool is deep near the peg (1,000 ETH ~ 0.1 %) and can still be depegged 10 %", async () => {
      const m = await loadMarketFixture();
      const bps = await priceImpactBps(m, m.uniPoolWstethWeth, m.weth, m.wsteth, parseEther("1000"));
      expect(bps).to.be.within(5, 20);
      const feedBefore = await m.wstethEthFeed.latestAnswer();
      const start = await wstethPoolRatio(m);
      const { amountIn } = await moveWstethPoolOnly(m, -1000);
      expect(await wstethPoolRatio(m)).to.be.closeTo((start * 9000n) / 10_000n, 10n ** 9n);
      expect(await m.wstethEthFeed.latestAnswer()).to.equal(feedBefore);
      // Deep but finite: thousands of wstETH, not millions.
      expect(amountIn).to.be.within(5_000n * WAD, 50_000n * WAD);
    });
  });

  describe("e-mode 1 (ETH correlated)", () => {
    async function eModeBorrower(m: Market) {
      const [user] = m.users;
      await fund(m, user, { wsteth: parseEther("100") }); // 115 ETH at 1.15
      await connectAs(m.wsteth, user).approve(m.pool.target, MaxUint256);
      await m.pool.connect(user).supply(m.wsteth.target, parseEther("100"), user.address, 0);
      return user;
    }

    it("is configured through the PoolConfigurator for WETH and wstETH", async () => {
      const m = await loadMarketFixture();
      expect(m.eModeCategory).to.equal(1);
      const cat = await m.pool.getEModeCategoryData(1);
      expect([cat.ltv, cat.liquidationThreshold, cat.liquidationBonus]).to.deep.equal([9300n, 9500n, 10100n]);
      expect(cat.label).to.equal(EMODE_ETH.label);
      expect(await m.dataProvider.getReserveEModeCategory(m.weth.target)).to.equal(1n);
      expect(await m.dataProvider.getReserveEModeCategory(m.wsteth.target)).to.equal(1n);
      expect(await m.dataProvider.getReserveEModeCategory(m.wbtc.target)).to.equal(0n);
    });

    it("lets a user borrow WETH against wstETH up to 93 % LTV (LT 95 %); 94 % is refused", async () => {
      const m = await loadMarketFixture();
      const user = await eModeBorrower(m);
      const pool = m.pool.connect(user);
      // Outside e-mode the wstETH LTV (78.5 %) refuses a 93 % borrow.
      await expect(pool.borrow(m.weth.target, parseEther("106.95"), 2, 0, user.address)).to.be.revertedWith("36");
      await pool.setUserEMode(m.eModeCategory);
      const data = await m.pool.getUserAccountData(user.address);
      expect(data.ltv).to.equal(9300n);
      expect(data.currentLiquidationThreshold).to.equal(9500n);
      // 94 % of 115 ETH = 108.1 ETH: refused ('36' = COLLATERAL_CANNOT_COVER_NEW_BORROW).
      await expect(pool.borrow(m.weth.target, parseEther("108.1"), 2, 0, user.address)).to.be.revertedWith("36");
      await pool.borrow(m.weth.target, parseEther("106.95"), 2, 0, user.address); // 93 % of 115 ETH
      expect(await m.variableDebtWETH.balanceOf(user.address)).to.equal(parseEther("106.95"));
      const after = await m.pool.getUserAccountData(user.address);
      expect(after.healthFactor).to.be.closeTo((WAD * 9500n) / 9300n, 10n ** 12n); // 0.95 / 0.93
    });
  });

  describe("ProductFeed", () => {
    async function feeds() {
      const agg = await hre.ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator");
      const ratio = (await agg.deploy(18, "x / ETH", 115n * 10n ** 16n)) as unknown as MockAggregator;
      const usd = (await agg.deploy(8, "ETH / USD", 2000n * E8)) as unknown as MockAggregator;
      const factory = await hre.ethers.getContractFactory("ProductFeed");
      const product = (await factory.deploy(ratio.target, usd.target, "x / USD")) as unknown as ProductFeed;
      return { ratio, usd, product };
    }

    it("answers ratio * usd in the USD feed's decimals, with the older updatedAt and the USD round id", async () => {
      const { ratio, usd, product } = await feeds();
      const now = await time.latest();
      await usd.setAnswerAt(2100n * E8, now - 100); // round 2
      await ratio.setAnswerAt(12n * 10n ** 17n, now - 500);
      expect(await product.decimals()).to.equal(8n);
      expect(await product.description()).to.equal("x / USD");
      const [roundId, answer, startedAt, updatedAt, answeredInRound] = await product.latestRoundData();
      expect(answer).to.equal(2520n * E8); // 1.2 * 2100
      expect([roundId, answeredInRound]).to.deep.equal([2n, 2n]);
      expect([startedAt, updatedAt]).to.deep.equal([BigInt(now - 500), BigInt(now - 500)]);
      expect(await product.latestAnswer()).to.equal(2520n * E8);
      await usd.setAnswerAt(2100n * E8, now - 900);
      expect((await product.latestRoundData())[3]).to.equal(BigInt(now - 900));
    });

    it("has no round history: getRoundData reverts with its custom error", async () => {
      const { product } = await feeds();
      await expect(product.getRoundData(1)).to.be.revertedWithCustomError(product, "ProductFeedNoRoundHistory").withArgs(1);
    });

    it("reverts on a non-positive input answer, naming the feed", async () => {
      const { ratio, usd, product } = await feeds();
      await ratio.setAnswer(0);
      await expect(product.latestRoundData())
        .to.be.revertedWithCustomError(product, "ProductFeedNonPositiveAnswer")
        .withArgs(ratio.target, 0);
      await ratio.setAnswer(WAD);
      await usd.setAnswer(-1);
      await expect(product.latestAnswer())
        .to.be.revertedWithCustomError(product, "ProductFeedNonPositiveAnswer")
        .withArgs(usd.target, -1);
    });
  });
});
