/**
 * The emergency promises on every kind of vault (each preset on each venue), where test/security/ripcord-1.reward.test.ts
 * and test/keeper/ripcord.test.ts check them on the 3x WETH/USDC Aave vault:
 * - IVaultEmergency.ripcord: "Anyone, when the health factor is below critical"; above it KeeperRipcordNotArmed;
 * - VAULT-HF-1 / VAULT-LEV-1: a ripcord never lowers the health factor and moves leverage down;
 * - RIPCORD-1: the reward is at most ripcordRewardBps of the debt value repaid and ripcordRewardCap pro rata of a
 *   full maxTradeSize chunk;
 * - OUTAGE-1: with fresh feeds the outage path refuses (OutageFeedsFresh); TRIGGER-1 at the crash state.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { movePairPrice } from "../shared/presets";
import { nextBlock } from "../security/fixtures";
import { KINDS } from "./worlds";

const WAD = 10n ** 18n;
const BPS = 10_000n;

for (const kind of KINDS) {
  describe(`promises, emergency: ${kind.label}`, function () {
    it("ripcord: refused above the critical HF (nothing moved); below it anyone's ripcord raises the HF, lowers leverage and pays within RIPCORD-1", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, stranger, keeper } = w;
      const auto = await vault.automationConfig();
      const critical = auto.criticalHealthFactor;
      const p0 = await vault.position();
      await expect(vault.connect(stranger).ripcord())
        .to.be.revertedWithCustomError(vault, "KeeperRipcordNotArmed")
        .withArgs((hf: bigint) => hf >= critical, critical);
      await expect(vault.connect(stranger).outageDelever()).to.be.revertedWithCustomError(vault, "OutageFeedsFresh");
      expect((await vault.position()).debt).to.be.closeTo(p0.debt, p0.debt / 100_000n);

      // An adverse move that puts the health factor a third of the way from critical down to 1.
      const aim = critical - (critical - WAD) / 3n;
      await movePairPrice(w, Number((aim * WAD) / p0.healthFactor) / 1e18);
      const before = await vault.position();
      expect(before.healthFactor, "the move left the HF between 1 and critical").to.be.lt(critical).and.gt(WAD);

      // TRIGGER-1: what trigger() announces is what rebalance() performs (keeper), in the same state.
      const { needed, action } = await vault.trigger();
      if (needed) expect(await vault.connect(keeper).rebalance.staticCall()).to.equal(action);

      const held: bigint = await w.collateral.balanceOf(stranger.address);
      const [collateralPrice, debtPrice] = await vault.oraclePrices();
      // The position as the ripcord's own block starts (its interest included), read in that block.
      const start = await vault.position(await nextBlock());
      await expect(vault.connect(stranger).ripcord()).to.emit(vault, "RipcordRewardPaid");
      const after = await vault.position();
      const reward = ((await w.collateral.balanceOf(stranger.address)) as bigint) - held;
      expect(after.healthFactor, "VAULT-HF-1").to.be.gt(before.healthFactor);
      expect(after.leverage, "VAULT-LEV-1").to.be.lt(before.leverage);
      const repaid = start.debt - after.debt;
      expect(repaid).to.be.gt(0n);
      const collateralUnit = 10n ** BigInt(w.decimals.collateral);
      const debtUnit = 10n ** BigInt(w.decimals.debt);
      const rewardValue = (reward * collateralPrice) / collateralUnit;
      const byBps = (((repaid * debtPrice) / debtUnit) * auto.ripcordRewardBps) / BPS;
      const byCap = (((auto.ripcordRewardCap * collateralPrice) / collateralUnit) * repaid) / auto.maxTradeSize;
      // Rounding: a collateral unit's worth (repaid is read with interest to the block).
      const slack = collateralPrice / collateralUnit + 1n;
      expect(rewardValue, "RIPCORD-1: <= ripcordRewardBps of the debt value repaid").to.be.lte(byBps + slack);
      expect(rewardValue, "RIPCORD-1: <= ripcordRewardCap pro rata").to.be.lte(byCap + slack);
    });
  });
}
