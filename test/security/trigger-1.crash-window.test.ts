/**
 * TRIGGER-1 in the crash window (second review, finding 6): at the urgent bounds, with the pool as far under the
 * oracle as those bounds accept (the DEX leads the feed in a crash), what `trigger()` announces `rebalance()` does,
 * above HF 1 (a flash-loaned deleverage judged on the value it sold) and below it (the vault's own liquidation,
 * its exact-out swap bounded on the same basis as the chunk was sized).
 */
import { expect } from "chai";
import { parseEther } from "ethers";
import { loadFixture, mine, takeSnapshot } from "@nomicfoundation/hardhat-network-helpers";
import { Action, aaveHealthFactor, keeperWorld } from "../shared/keeper";
import { PRESET_3X_FIXED } from "../shared/vault";
import { movePoolOnly, setMarketPrice } from "../shared/market-helpers";
import { expectTriggerHonest } from "./helpers";

const WAD = 10n ** 18n;

const crashVault = () => keeperWorld({ ...PRESET_3X_FIXED }, parseEther("200"));

describe("security: TRIGGER-1 across the band the urgent bounds accept", () => {
  for (const [label, price, belowOne] of [["HF ~1.056", 1696, false], ["HF ~0.994", 1597, true]] as const) {
    it(`${label}: with the pool 355-369 bps under the oracle, every announced action goes through`, async () => {
      const w = await loadFixture(crashVault);
      await setMarketPrice(w.market, price);
      const hf = await aaveHealthFactor(w.market, await w.vault.getAddress());
      expect(hf < WAD).to.equal(belowOne);
      const [slippage, deviation] = await w.vault.healthActionBounds();
      expect(slippage).to.equal(375n);
      expect(deviation).to.equal(375n);
      for (const under of [355, 360, 365, 369]) {
        const snapshot = await takeSnapshot();
        await movePoolOnly(w.market, -under);
        await mine();
        const { needed, action } = await expectTriggerHonest(w.vault, w.keeper, `${label}, pool ${under} bps under`);
        if (needed) expect(action).to.equal(Action.DeleverHealth);
        if (under === 355) expect(needed, "room to trade 15 bps inside the bound").to.equal(true);
        await snapshot.restore();
      }
    });
  }
});
