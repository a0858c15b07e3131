/**
 * CAP-1 (second review, finding 7): the market's supply and borrow caps are read live. An attacker who fills the
 * WETH supply cap and donates dust to the vault cannot jam the keeper or the ripcord (idle collateral is supplied
 * only within the cap's room), `trigger()` agrees with `rebalance()`, a lever-up the caps refuse is reported as
 * not due (`KeeperMarketCapReached`), and `maxDeposit` respects both caps, so `deposit(maxDeposit)` goes through.
 */
import { expect } from "chai";
import { MaxUint256, parseEther, parseUnits } from "ethers";
import { loadFixture, mine } from "@nomicfoundation/hardhat-network-helpers";
import { Action, keeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { connectAs, fund, setMarketPrice } from "../shared/market-helpers";
import { expectTriggerHonest } from "./helpers";
import { nextBlock } from "./fixtures";

const WAD = 10n ** 18n;

const cappedVault = async () => {
  const w = await keeperWorld({ ...PRESET_3X_FIXED }, parseEther("100"));
  await fund(w.market, w.stranger.address, { weth: parseEther("100000"), usdc: parseUnits("10000000", 6) });
  return w;
};
type World = Awaited<ReturnType<typeof cappedVault>>;

/** Sets the WETH supply cap to leave `room` whole WETH above what is supplied, then fills all but `left` wei. */
async function fillSupplyCap(w: World, left: bigint) {
  const { market, stranger } = w;
  const weth = await market.weth.getAddress();
  const aToken = await market.weth.attach((await market.pool.getReserveData(weth)).aTokenAddress);
  const supplied = await (aToken as unknown as { totalSupply: () => Promise<bigint> }).totalSupply();
  const cap = supplied / WAD + 2n + left / WAD;
  await (await market.configurator.setSupplyCap(weth, cap)).wait();
  const fill = cap * WAD - supplied - left;
  await (await connectAs(market.weth, stranger).approve(market.pool.target, MaxUint256)).wait();
  await (await connectAs(market.pool as never, stranger).supply(weth, fill, stranger.address, 0)).wait();
}

describe("security: CAP-1, the market's caps read live", () => {
  it("a filled supply cap and dust sent to the vault jam neither the keeper nor the ripcord", async () => {
    const w = await loadFixture(cappedVault);
    await fillSupplyCap(w, 0n);
    await (await connectAs(w.market.weth, w.stranger).transfer(w.vault.target, 10_000_000_000_000n)).wait(); // 1e13 wei
    await setMarketPrice(w.market, 1760); // under the floor
    await mine();
    const { needed, action } = await expectTriggerHonest(w.vault, w.keeper, "health deleverage, cap full", false);
    expect([needed, action]).to.deep.equal([true, Action.DeleverHealth]);
    await setMarketPrice(w.market, 1700); // under the critical HF
    await mine();
    await expect(w.vault.connect(w.stranger).ripcord()).to.emit(w.vault, "RipcordRewardPaid");
    await expectTriggerHonest(w.vault, w.keeper, "after the ripcord, cap full");
  });

  it("a lever-up the supply cap refuses is not announced, and rebalance() names the cap", async () => {
    const w = await loadFixture(cappedVault);
    await fillSupplyCap(w, 0n);
    await setMarketPrice(w.market, 2400); // leverage under the band
    await mine();
    const [needed, action] = await w.vault.trigger();
    expect([needed, action]).to.deep.equal([false, Action.ReleverBand]);
    await expect(w.vault.connect(w.keeper).rebalance()).to.be.revertedWithCustomError(w.vault, "KeeperMarketCapReached");
  });

  it("idle collateral beyond the supply cap's room: trigger() and rebalance() agree on the lever-up (found by the campaign)", async () => {
    const w = await loadFixture(cappedVault);
    await fillSupplyCap(w, parseEther("5"));
    await setMarketPrice(w.market, 2400); // leverage under the band: a lever-up is due
    await (await connectAs(w.market.weth, w.stranger).transfer(w.vault.target, parseEther("30"))).wait();
    await mine();
    await expectTriggerHonest(w.vault, w.keeper, "lever-up with 30 WETH idle and 5 WETH of supply room");
    await expectTriggerHonest(w.vault, w.keeper, "after it");
  });

  it("maxDeposit respects the supply cap's room (a 3x deposit supplies three times its assets) and deposit(maxDeposit) goes through", async () => {
    const w = await loadFixture(cappedVault);
    await fillSupplyCap(w, parseEther("1"));
    const max = await w.vault.maxDeposit(w.bob.address, await nextBlock());
    expect(max).to.be.gt(0n);
    expect(max).to.be.lte(parseEther("1") / 3n); // ~1/3 WETH at 3x, less the margin
    await expect(w.vault.connect(w.bob)["deposit(uint256,address)"](max + parseEther("0.01"), w.bob.address))
      .to.be.revertedWithCustomError(w.vault, "VaultDepositCapExceeded");
    await expect(w.vault.connect(w.bob)["deposit(uint256,address)"](max, w.bob.address)).to.emit(w.vault, "Deposit");
  });

  it("maxDeposit respects the USDC borrow cap's room", async () => {
    const w = await loadFixture(cappedVault);
    const { market } = w;
    const usdc = await market.usdc.getAddress();
    const debtToken = market.usdc.attach((await market.pool.getReserveData(usdc)).variableDebtTokenAddress) as unknown as {
      totalSupply: () => Promise<bigint>;
    };
    const borrowed = await debtToken.totalSupply();
    await (await market.configurator.setBorrowCap(usdc, borrowed / 10n ** 6n + 2_001n)).wait(); // ~2,000 USDC of room
    const max = await w.vault.maxDeposit(w.bob.address, await nextBlock()); // read for the block it lands in (MAX-1)
    // 2,000 USDC at $2,000 lets a 3x deposit of ~0.5 WETH borrow it.
    expect(max).to.be.gt(0n);
    expect(max).to.be.lte(parseEther("0.51"));
    await expect(w.vault.connect(w.bob)["deposit(uint256,address)"](max, w.bob.address)).to.emit(w.vault, "Deposit");
    expect(await w.vault.maxDeposit(w.bob.address)).to.be.lt(parseEther("0.001"));
  });
});
