/**
 * ROLE-2 (b) (docs/PROPERTIES.md, IVaultManagement): "no immediate change may ... stop the keeper or the ripcord from
 * delevering a position at or below the HF floor". Keepers are added and removed at once and the ripcord is armed only
 * below the critical HF, so at or below the floor anyone may run the deleverage (`rebalance()`).
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { movePairPrice } from "../shared/presets";
import { Action } from "../shared/keeper";
import { KINDS, pushAboveBand } from "./worlds";

for (const kind of KINDS) {
  // Once a defect: removing the keeper at once left a position between the critical HF and the floor with nobody
  // able to delever (rebalance() keeper-only, the ripcord not armed).
  describe(`promises, ROLE-2 (b): ${kind.label}`, function () {
    it("above the floor only keepers act: a stranger's rebalance of a due band deleverage is VaultUnauthorized", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, keeper, stranger } = w;
      await pushAboveBand(w, 1.02);
      expect((await vault.trigger()).action).to.equal(Action.DeleverBand);
      expect((await vault.position()).healthFactor).to.be.gt((await vault.leverageConfig()).minHealthFactor);
      await expect(vault.connect(stranger).rebalance()).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(stranger.address);
      await expect(vault.connect(stranger).performUpkeep("0x")).to.be.revertedWithCustomError(vault, "VaultUnauthorized").withArgs(stranger.address);
      await expect(vault.connect(keeper).rebalance()).to.emit(vault, "ActionExecuted");
    });

    it("with every keeper removed at once, a position under the floor can still be delevered (by anyone)", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, manager, keeper, stranger } = w;
      const floor = (await vault.leverageConfig()).minHealthFactor;
      const critical = (await vault.automationConfig()).criticalHealthFactor;
      const p0 = await vault.position();
      await movePairPrice(w, Number(((floor + critical) / 2n) * 10n ** 18n / p0.healthFactor) / 1e18);
      const { healthFactor } = await vault.position();
      expect(healthFactor).to.be.lt(floor).and.gt(critical);
      const { needed, action } = await vault.trigger();
      expect([needed, action]).to.deep.equal([true, Action.DeleverHealth]);

      await expect(vault.connect(manager).setKeeper(keeper.address, false)).to.emit(vault, "KeeperSet").and.not.to.emit(vault, "ChangeSubmitted");
      expect(await vault.isKeeper(keeper.address)).to.equal(false);
      // ROLE-2 (b): the position at or below the floor can still be delevered, here by a stranger.
      await expect(vault.connect(stranger).rebalance()).to.emit(vault, "ActionExecuted");
      expect((await vault.position()).healthFactor).to.be.gt(healthFactor);
    });
  });
}
