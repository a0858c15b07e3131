import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { movePoolOnly } from "../shared/market-helpers";
import { vault3x, type VaultWorld } from "../shared/vault";
import { funded3x } from "../shared/vault-states";
import { BPS, WAD, holdings, near, redeem } from "../shared/vault-helpers";
import { acceptPending } from "../shared/timelock";

/**
 * The vault bounds every swap by the oracle: a lever swap must return at least (1 - maxSlippage) of the oracle
 * value of the debt sold; an exit's exact-out swap may spend at most (1 + maxSlippage) of the oracle value of
 * the debt bought back. Moving only the Uniswap pool away from the oracle (a sandwich) trips both.
 */
const SLIPPAGE_BPS = 50n;
const FLASH_PREMIUM_BPS = 5n;
const USDC_UNIT = 10n ** 6n;

async function tightenSlippage(w: VaultWorld) {
  const { swapFee, depositCap } = await w.vault.executionConfig();
  await (await w.vault.setExecutionConfig({ maxSlippageBps: SLIPPAGE_BPS, swapFee, depositCap })).wait();
    await acceptPending(w.vault, w.market);
}

/** Oracle prices as the vault reads them: wad USD per whole token. */
async function wadPrices(w: VaultWorld) {
  const eth = (await w.market.ethUsdFeed.latestAnswer()) * 10n ** 10n;
  const usdc = (await w.market.usdcUsdFeed.latestAnswer()) * 10n ** 10n;
  return { eth, usdc };
}

const ceilDiv = (a: bigint, b: bigint) => (a + b - 1n) / b;

describe("vault reverts: swap slippage against the oracle", () => {
  it("a deposit into a pool moved 3% above the oracle reverts SwapSlippageExceeded(amountOut, minOut)", async () => {
    const w = await loadFixture(vault3x);
    const { vault, market, alice } = w;
    await tightenSlippage(w);
    await movePoolOnly(market, 300); // WETH 3% dearer on Uniswap than on the feed

    // What the vault will do: borrow (L - 1) x the deposit's value in USDC and require its oracle value in
    // WETH less 0.5%; what the pool will give for it, from the quoter on the same pool state.
    const assets = parseEther("10");
    const { eth, usdc } = await wadPrices(w);
    const { targetLeverage } = await vault.leverageConfig();
    const borrow = ((((assets * eth) / WAD) * (targetLeverage - WAD)) / WAD * USDC_UNIT) / usdc;
    // The min out leaves two raw input units out for the pool's fee and price rounding.
    const fairOut = ((borrow - 2n) * (usdc * WAD)) / (eth * USDC_UNIT);
    const minOut = (fairOut * (BPS - SLIPPAGE_BPS)) / BPS;
    const [amountOut] = await market.quoter.quoteExactInputSingle.staticCall({
      tokenIn: market.usdc.target,
      tokenOut: market.weth.target,
      amountIn: borrow,
      fee: 500,
      sqrtPriceLimitX96: 0n,
    });
    expect(amountOut).to.be.lt(minOut);
    const wethBefore: bigint = await market.weth.balanceOf(alice.address);

    await expect(vault.connect(alice)["deposit(uint256,address)"](assets, alice.address))
      .to.be.revertedWithCustomError(vault, "SwapSlippageExceeded")
      .withArgs(amountOut, minOut);

    expect(await market.weth.balanceOf(alice.address)).to.equal(wethBefore);
    expect(await holdings(w)).to.deep.equal({ collateral: 0n, debt: 0n, idleWeth: 0n, idleUsdc: 0n });
  });

  for (const op of ["redeem", "withdraw"] as const) {
    it(`a ${op} into a pool moved 3% below the oracle reverts SwapInputExceeded(amountIn, maxIn)`, async () => {
      const w = await loadFixture(funded3x);
      const { vault, market, alice } = w;
      await tightenSlippage(w);
      await movePoolOnly(market, -300); // WETH 3% cheaper on Uniswap: buying back the debt costs more WETH

      const shares = op === "redeem" ? (await vault.balanceOf(alice.address)) / 2n : await vault.previewWithdraw(parseEther("4"));
      const supply = await vault.totalSupply();
      const { debt } = await holdings(w);
      // The slice's debt (rounded up) is flash-borrowed, repaid, then bought back with the 5 bps premium.
      const debtShare = ceilDiv(debt * shares, supply);
      const owed = debtShare + (debtShare * FLASH_PREMIUM_BPS + 5000n) / BPS;
      const { eth, usdc } = await wadPrices(w);
      const wethPerWadOfDebt = (WAD * (usdc * WAD)) / (eth * USDC_UNIT);
      const bound = ceilDiv(wethPerWadOfDebt * (BPS + SLIPPAGE_BPS), BPS);
      const maxIn = ceilDiv(owed * bound, WAD);
      const [amountIn] = await market.quoter.quoteExactOutputSingle.staticCall({
        tokenIn: market.weth.target,
        tokenOut: market.usdc.target,
        amount: owed,
        fee: 500,
        sqrtPriceLimitX96: 0n,
      });
      expect(amountIn).to.be.gt(maxIn);
      const sharesBefore = await vault.balanceOf(alice.address);

      const call =
        op === "redeem"
          ? vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)
          : vault.connect(alice)["withdraw(uint256,address,address)"](parseEther("4"), alice.address, alice.address);
      // The debt may accrue a unit of interest before the transaction is mined: a few units of tolerance.
      const wethPerDebtUnit = wethPerWadOfDebt / WAD;
      await expect(call)
        .to.be.revertedWithCustomError(vault, "SwapInputExceeded")
        .withArgs(near(amountIn, 3n * wethPerDebtUnit), near(maxIn, 3n * wethPerDebtUnit));

      expect(await vault.balanceOf(alice.address)).to.equal(sharesBefore);
      expect((await holdings(w)).debt).to.be.gte(debt);
    });
  }

  it("exits go through while the pool stays within the bound (0.3% off, 0.5% allowed)", async () => {
    const w = await loadFixture(funded3x);
    const { vault, market, alice } = w;
    await tightenSlippage(w);
    await movePoolOnly(market, -30);
    const out = await redeem(w, alice, (await vault.balanceOf(alice.address)) / 2n);
    expect(out.assets).to.be.gt(0n);
  });
});
