import { expect } from "chai";
import { MaxUint256, parseEther, parseUnits } from "ethers";
import { loadMarketFixture, RESERVE_PARAMS } from "../shared/market";
import { connectAs, fund, liquidate, setMarketPrice } from "../shared/market-helpers";

const WAD = 10n ** 18n;

describe("market: liquidation after a price drop", () => {
  it("liquidates a high-LTV borrower once the price drop pushes HF below 1", async () => {
    const m = await loadMarketFixture();
    const [borrower] = m.users;
    const collateral = parseEther("10"); // $20,000
    await fund(m, borrower, { weth: collateral });
    await connectAs(m.weth, borrower).approve(m.pool.target, MaxUint256);
    await m.pool.connect(borrower).supply(m.weth.target, collateral, borrower.address, 0);
    const debt = parseUnits("16000", 6); // LTV 80%, HF = 0.83 * 20,000 / 16,000 = 1.0375
    await m.pool.connect(borrower).borrow(m.usdc.target, debt, 2, 0, borrower.address);
    expect((await m.pool.getUserAccountData(borrower.address)).healthFactor).to.equal(parseEther("1.0375"));

    // healthy: the pool refuses ('45' = HEALTH_FACTOR_NOT_BELOW_THRESHOLD)
    await expect(liquidate(m, borrower)).to.be.revertedWith("45");

    // -5% to $1,900: HF = 0.83 * 19,000 / 16,000 = 0.985625
    const price = 1900n;
    await setMarketPrice(m, Number(price));
    const hfBefore = (await m.pool.getUserAccountData(borrower.address)).healthFactor;
    expect(hfBefore).to.be.closeTo(parseEther("0.985625"), parseEther("0.000001"));

    const debtBefore: bigint = await m.variableDebtUSDC.balanceOf(borrower.address);
    const aWethBefore: bigint = await m.aWETH.balanceOf(borrower.address);
    const { debtRepaid, collateralReceived } = await liquidate(m, borrower);

    // HF >= 0.95, so the close factor allows half the debt
    expect(debtRepaid).to.be.closeTo(debtBefore / 2n, 1n);
    expect(await m.variableDebtUSDC.balanceOf(borrower.address)).to.be.closeTo(debtBefore - debtRepaid, 1n);
    // collateral = repaid USD / price * 105% bonus (USDC 6 dec -> WETH 18 dec)
    const expected = (debtRepaid * 10n ** 12n * RESERVE_PARAMS.WETH.liquidationBonus) / 10_000n / price;
    expect(collateralReceived).to.be.closeTo(expected, 10n ** 9n);
    expect(collateralReceived * price).to.be.gt(debtRepaid * 10n ** 12n); // liquidator profits by the bonus
    expect(await m.aWETH.balanceOf(borrower.address)).to.be.closeTo(aWethBefore - collateralReceived, 1n);
    const hfAfter = (await m.pool.getUserAccountData(borrower.address)).healthFactor;
    expect(hfAfter).to.be.gt(hfBefore);
    expect(hfAfter).to.be.gt(WAD); // back above 1 after half the debt is gone
  });
});
