import { expect } from "chai";
import { MaxUint256, parseEther, parseUnits } from "ethers";
import { loadMarketFixture, RESERVE_PARAMS } from "../shared/market";
import { advanceTime, connectAs, fund } from "../shared/market-helpers";

const YEAR = 365 * 24 * 3600;

describe("market: Aave V3 supply / borrow / repay / withdraw", () => {
  it("runs a full position lifecycle through the real Pool", async () => {
    const m = await loadMarketFixture();
    const [user] = m.users;
    const pool = m.pool.connect(user);
    const collateral = parseEther("10"); // $20,000 at 2000
    await fund(m, user, { weth: collateral });
    await connectAs(m.weth, user).approve(m.pool.target, MaxUint256);

    // supply: WETH leaves the wallet, aWETH arrives 1:1
    await pool.supply(m.weth.target, collateral, user.address, 0);
    expect(await m.weth.balanceOf(user.address)).to.equal(0n);
    expect(await m.aWETH.balanceOf(user.address)).to.equal(collateral);
    let data = await m.pool.getUserAccountData(user.address);
    expect(data.totalCollateralBase).to.equal(20_000n * 10n ** 8n);
    expect(data.ltv).to.equal(RESERVE_PARAMS.WETH.ltv);
    expect(data.currentLiquidationThreshold).to.equal(RESERVE_PARAMS.WETH.liquidationThreshold);
    expect(data.availableBorrowsBase).to.equal(16_100n * 10n ** 8n); // 80.5% of $20,000
    expect(data.healthFactor).to.equal(MaxUint256);

    // borrow beyond the LTV is refused by the pool ('36' = COLLATERAL_CANNOT_COVER_NEW_BORROW)
    await expect(pool.borrow(m.usdc.target, parseUnits("16200", 6), 2, 0, user.address)).to.be.revertedWith("36");

    // borrow 10,000 USDC at the variable rate
    const borrowed = parseUnits("10000", 6);
    await pool.borrow(m.usdc.target, borrowed, 2, 0, user.address);
    expect(await m.usdc.balanceOf(user.address)).to.equal(borrowed);
    expect(await m.variableDebtUSDC.balanceOf(user.address)).to.equal(borrowed);
    data = await m.pool.getUserAccountData(user.address);
    expect(data.totalDebtBase).to.equal(10_000n * 10n ** 8n);
    expect(data.healthFactor).to.equal(parseEther("1.66")); // 20,000 * 0.83 / 10,000

    // a year later the debt and the suppliers' aTokens have grown
    const lpSupplyBefore: bigint = await m.aUSDC.balanceOf(m.lp.address);
    await advanceTime(YEAR, m);
    const debt: bigint = await m.variableDebtUSDC.balanceOf(user.address);
    expect(debt).to.be.gt(borrowed);
    expect(await m.aUSDC.balanceOf(m.lp.address)).to.be.gt(lpSupplyBefore);

    // repay everything (max = whole debt incl. interest), then withdraw everything
    await fund(m, user, { usdc: parseUnits("10", 6) });
    await connectAs(m.usdc, user).approve(m.pool.target, MaxUint256);
    await pool.repay(m.usdc.target, MaxUint256, 2, user.address);
    expect(await m.variableDebtUSDC.balanceOf(user.address)).to.equal(0n);
    expect(await m.usdc.balanceOf(user.address)).to.be.lt(parseUnits("10", 6)); // interest was paid
    await pool.withdraw(m.weth.target, MaxUint256, user.address);
    expect(await m.aWETH.balanceOf(user.address)).to.equal(0n);
    expect(await m.weth.balanceOf(user.address)).to.be.gte(collateral);
    data = await m.pool.getUserAccountData(user.address);
    expect([data.totalCollateralBase, data.totalDebtBase]).to.deep.equal([0n, 0n]);
  });
});
