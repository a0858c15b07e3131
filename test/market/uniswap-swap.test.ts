import { expect } from "chai";
import { parseEther } from "ethers";
import { loadMarketFixture } from "../shared/market";
import { advanceTime, fund, movePoolOnly, oraclePrice, poolPrice, setMarketPrice, swapExactIn } from "../shared/market-helpers";

const ETH = (n: number) => parseEther(String(n));

describe("market: Uniswap V3 swaps and price moves", () => {
  it("sells WETH through the SwapRouter with price impact growing with size", async () => {
    const m = await loadMarketFixture();
    const [trader] = m.users;
    await fund(m, trader, { weth: ETH(1100) });

    // QuoterV2 is non-view: quote with staticCall. Average price = USDC out / ETH in.
    const avgPrice = async (eth: number) => {
      const [out] = await m.quoter.quoteExactInputSingle.staticCall({
        tokenIn: m.weth.target, tokenOut: m.usdc.target, amountIn: ETH(eth), fee: 500, sqrtPriceLimitX96: 0n,
      });
      return Number(out) / 1e6 / eth;
    };
    const [p1, p100, p1000] = [await avgPrice(1), await avgPrice(100), await avgPrice(1000)];
    expect(p1).to.be.closeTo(2000 * (1 - 0.0005), 0.1); // ~ just the 0.05% fee
    expect(p100).to.be.lt(p1);
    expect(p1000).to.be.lt(p100);

    // A real 100 ETH swap pays the quoted amount and moves the pool down by ~0.1% (design: < 0.5%)
    const usdcOut = await swapExactIn(m, trader, m.weth, ETH(100));
    expect(Number(usdcOut) / 1e6 / 100).to.be.closeTo(p100, 1e-6);
    const after100 = await poolPrice(m);
    expect(after100).to.be.lt(2000);
    expect(after100).to.be.gt(2000 * (1 - 0.005));

    // a further 1000 ETH gets a worse average price than the first 100 did
    const usdcOut2 = await swapExactIn(m, trader, m.weth, ETH(1000));
    expect(Number(usdcOut2) / 1e6 / 1000).to.be.lt(Number(usdcOut) / 1e6 / 100);
    expect(await poolPrice(m)).to.be.lt(after100);
    expect(await oraclePrice(m)).to.equal(2000); // swaps never touch the feed
  });

  it("needs a very large swap to move the 0.05% pool by 3% (movePoolOnly)", async () => {
    const m = await loadMarketFixture();
    const moved = await movePoolOnly(m, -300);
    expect(moved.tokenIn).to.equal(m.weth.target);
    expect(moved.amountIn).to.be.gt(ETH(2000)); // ~3,000 ETH (~$6M)
    expect(await poolPrice(m)).to.be.closeTo(1940, 0.01);
    expect(await poolPrice(m, m.uniPool3000)).to.equal(2000); // other pool untouched
    expect(await oraclePrice(m)).to.equal(2000);
  });

  it("setMarketPrice moves the feed, the Aave oracle and both pools together", async () => {
    const m = await loadMarketFixture();
    for (const target of [1733.37, 2500, 2000]) {
      await setMarketPrice(m, target);
      expect(await oraclePrice(m)).to.equal(target);
      for (const pool of [m.uniPool500, m.uniPool3000]) {
        expect(Math.abs((await poolPrice(m, pool)) / target - 1)).to.be.lt(1e-4);
      }
    }
    // bigint prices are in feed units (8 decimals)
    await setMarketPrice(m, 1800n * 10n ** 8n);
    expect(await oraclePrice(m)).to.equal(1800);
  });

  it("records observations so that a TWAP can be read", async () => {
    const m = await loadMarketFixture();
    await setMarketPrice(m, 1900);
    await advanceTime(600, m);
    const [tickCumulatives] = await m.uniPool500.observe([600, 0]);
    const twapTick = Number(tickCumulatives[1] - tickCumulatives[0]) / 600;
    const spotTick = Number((await m.uniPool500.slot0()).tick);
    expect(Math.abs(twapTick - spotTick)).to.be.lte(1);
  });
});
