import { expect } from "chai";
import { ethers } from "hardhat";
import { parseEther, parseUnits } from "ethers";
import type { FlashLoanProbe } from "../../typechain-types";
import { loadMarketFixture, type Market } from "../shared/market";
import { fund } from "../shared/market-helpers";

async function deployProbe(m: Market): Promise<FlashLoanProbe> {
  const factory = await ethers.getContractFactory("contracts/test/FlashLoanProbe.sol:FlashLoanProbe");
  return (await factory.deploy(m.addressesProvider.target)) as unknown as FlashLoanProbe;
}

describe("market: Aave V3 flashLoanSimple", () => {
  it("lends WETH for one transaction and charges the 5 bps premium", async () => {
    const m = await loadMarketFixture();
    const probe = await deployProbe(m);
    const amount = parseEther("1000");
    const premium = (amount * m.fees.flashLoanPremiumBps) / 10_000n; // 0.5 WETH
    const buffer = parseEther("1");
    await fund(m, probe, { weth: buffer });
    const lpClaim: bigint = await m.aWETH.balanceOf(m.lp.address);
    const aWethCash: bigint = await m.weth.balanceOf(m.aWETH.target);

    await probe.run(m.weth.target, amount);

    expect(await probe.lastAmount()).to.equal(amount);
    expect(await probe.lastPremium()).to.equal(premium);
    expect(await probe.balanceDuringLoan()).to.equal(buffer + amount);
    expect(await m.weth.balanceOf(probe.target)).to.equal(buffer - premium);
    expect(await m.weth.balanceOf(m.aWETH.target)).to.equal(aWethCash + premium);
    // Premium to protocol is 0: the whole premium accrues to suppliers (the lp owns ~all aWETH).
    expect((await m.aWETH.balanceOf(m.lp.address)) - lpClaim).to.be.closeTo(premium, premium / 1000n);
  });

  it("lends USDC too, and reverts when the receiver cannot pay the premium", async () => {
    const m = await loadMarketFixture();
    const probe = await deployProbe(m);
    const amount = parseUnits("1000000", 6);
    await fund(m, probe, { usdc: parseUnits("500", 6) });
    await probe.run(m.usdc.target, amount);
    expect(await probe.lastPremium()).to.equal(parseUnits("500", 6)); // 5 bps of 1M
    expect(await m.usdc.balanceOf(probe.target)).to.equal(0n); // the whole buffer went to the premium

    // now empty: the pool's transferFrom of amount + premium fails
    await expect(probe.run(m.usdc.target, amount)).to.be.reverted;
  });
});
