import { expect } from "chai";
import { ethers } from "hardhat";
import { getCreateAddress } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { deployMarket, priceE8ToSqrtX96, sqrtX96ToPriceE8, toPriceE8 } from "../shared/market";
import { movePoolOnly, oraclePrice, poolPrice, setMarketPrice } from "../shared/market-helpers";

/** A market where WETH's address sorts AFTER USDC's (token0 = USDC), by burning deployer nonces first. */
async function flippedMarketFixture() {
  const [deployer] = await ethers.getSigners();
  let nonce = await deployer.getNonce();
  const sortsFirst = (n: number) =>
    BigInt(getCreateAddress({ from: deployer.address, nonce: n })) < BigInt(getCreateAddress({ from: deployer.address, nonce: n + 1 }));
  while (sortsFirst(nonce)) {
    await (await deployer.sendTransaction({ to: deployer.address })).wait();
    nonce++;
  }
  return deployMarket({ ethPrice: 2345.67 });
}

describe("market: price math and token ordering", () => {
  it("round-trips ETH/USD <-> sqrtPriceX96 for both token orders", () => {
    for (const wethIsToken0 of [true, false]) {
      for (const usd of [0.5, 1, 1850.25, 2000, 123_456.78]) {
        const e8 = toPriceE8(usd);
        expect(sqrtX96ToPriceE8(priceE8ToSqrtX96(e8, wethIsToken0), wethIsToken0)).to.be.closeTo(e8, 1n);
      }
    }
    expect(() => toPriceE8(2000n)).to.throw(/1e8-scaled/);
  });

  it("deploys and moves prices correctly when WETH is token1", async () => {
    const m = await loadFixture(flippedMarketFixture);
    expect(m.wethIsToken0).to.equal(false);
    expect(await poolPrice(m)).to.be.closeTo(2345.67, 1e-6);
    await setMarketPrice(m, 2100);
    expect(await oraclePrice(m)).to.equal(2100);
    expect(await poolPrice(m)).to.be.closeTo(2100, 0.01);
    expect(await poolPrice(m, m.uniPool3000)).to.be.closeTo(2100, 0.01);
    const moved = await movePoolOnly(m, 200);
    expect(moved.tokenIn).to.equal(m.usdc.target); // buying ETH pushes its price up
    expect(await poolPrice(m)).to.be.closeTo(2142, 0.01);
  });
});
