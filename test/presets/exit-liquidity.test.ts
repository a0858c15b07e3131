/**
 * ERR-1 / MAX-1 against the venue's liquidity, on every (preset, venue): an exit flash-loans its slice of the debt on
 * the venue, so when other borrowers (Aave) or a withdrawing supplier (Morpho) leave the venue holding less of the
 * debt asset than a holder's slice needs, `maxRedeem` and `maxWithdraw` shrink to what fits, an exit of that size goes
 * through, and an exit beyond it is refused with VaultExitLiquidity(needed, available), nothing moved.
 */
import hre from "hardhat";
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { Contract } from "ethers";
import { ASSET_FIELDS } from "../shared/market";
import { borrowFromAave } from "../shared/market-helpers";
import { collateralFor, presetVenues, presetWorld, type PresetWorld } from "../shared/presets";
import { morphoMarketId } from "../../scripts/lib/market/morpho";

/** Leaves the venue holding `keep` of the debt asset (raw units) that it could flash-lend. */
async function drainVenue(w: PresetWorld, keep: bigint): Promise<void> {
  const { market } = w;
  if (w.venue === "morpho") {
    const params = Object.values(w.blue!.markets).find((p) => p.collateralToken === w.collateral.target)!;
    const held: bigint = await w.debt.balanceOf(w.blue!.morpho.target);
    const [supplied, , borrowed] = (await w.blue!.morpho.market(morphoMarketId(params))) as unknown as bigint[];
    const withdraw = held - keep;
    expect(withdraw, "the supplier's liquidity covers the drain").to.be.lte(supplied - borrowed);
    await (await (w.blue!.morpho.connect(market.lp) as Contract).withdraw(params, withdraw, 0n, market.lp.address, market.lp.address)).wait();
    return;
  }
  // Aave: another borrower takes the rest out.
  const [collateralPrice, debtPrice] = await w.vault.oraclePrices();
  const borrow = ((await w.debt.balanceOf(market[ASSET_FIELDS[w.preset.debt].aToken].target)) as bigint) - keep;
  await borrowFromAave(market, w.preset, borrow, { collateral: collateralPrice, debt: debtPrice }, w.decimals);
}

/** The venue's balance of the debt asset: what it can flash-lend. */
async function flashRoom(w: PresetWorld): Promise<bigint> {
  const holder = w.venue === "morpho" ? w.blue!.morpho.target : w.market[ASSET_FIELDS[w.preset.debt].aToken].target;
  return w.debt.balanceOf(holder);
}

for (const { preset, venue } of presetVenues()) {
  describe(`exit within the venue's liquidity: ${preset.name} on ${venue}`, function () {
    async function fixture() {
      const w = await presetWorld(preset, {}, {}, venue);
      const amount = await collateralFor(w, 20_000);
      for (const user of [w.alice, w.bob]) await (await w.vault.connect(user)["deposit(uint256,address)"](amount, user.address)).wait();
      return w;
    }

    it("maxRedeem shrinks to the slice the venue can lend; beyond it VaultExitLiquidity, nothing moved", async function () {
      const w = await loadFixture(fixture);
      const shares = await w.vault.balanceOf(w.alice.address);
      expect(await w.vault.maxRedeem(w.alice.address)).to.equal(shares);
      const { debt } = await w.vault.position();
      const supply = await w.vault.totalSupply();
      // Keep a third of alice's debt slice on the venue.
      const aliceDebt = (debt * shares) / supply;
      await drainVenue(w, aliceDebt / 3n);
      const room = await flashRoom(w);
      expect(room).to.be.lt(aliceDebt);
      const max = await w.vault.maxRedeem(w.alice.address);
      expect(max).to.be.gt(0n).and.lt(shares);
      expect(await w.vault.maxWithdraw(w.alice.address)).to.equal(await w.vault.previewRedeem(max));
      const held: bigint = await w.collateral.balanceOf(w.alice.address);
      await expect(w.vault.connect(w.alice)["redeem(uint256,address,address)"](shares, w.alice.address, w.alice.address))
        .to.be.revertedWithCustomError(w.vault, "VaultExitLiquidity")
        .withArgs((needed: bigint) => needed > room, room);
      expect(await w.vault.balanceOf(w.alice.address)).to.equal(shares);
      expect(await w.collateral.balanceOf(w.alice.address)).to.equal(held);
      const preview = await w.vault.previewRedeem(max);
      const balance: bigint = await w.collateral.balanceOf(w.alice.address);
      await (await w.vault.connect(w.alice)["redeem(uint256,address,address)"](max, w.alice.address, w.alice.address)).wait();
      expect(((await w.collateral.balanceOf(w.alice.address)) as bigint) - balance).to.be.gte(preview);
      expect(await w.vault.balanceOf(w.alice.address)).to.equal(shares - max);
    });
  });
}
