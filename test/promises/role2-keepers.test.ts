/**
 * ROLE-2 (b) (docs/PROPERTIES.md, IVaultManagement): "no immediate change may ... stop the keeper or the ripcord from
 * delevering a position at or below the HF floor". The same documents list "the manager, keepers" among what applies
 * at once, and the ripcord is armed only below the critical HF: between the critical HF and the floor the keepers are
 * the only ones who can delever.
 */
import { expect } from "chai";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { movePairPrice } from "../shared/presets";
import { Action } from "../shared/keeper";
import { KINDS } from "./worlds";

for (const kind of KINDS) {
  /*
   * DEFECT (ROLE-2 (b) vs the list of immediate changes): with the health factor between the critical HF and the floor
   * (a DeleverHealth due), the manager's setKeeper(keeper, false) applies at once (KeeperSet, no ChangeSubmitted), after
   * which nobody can delever: rebalance() reverts VaultUnauthorized for the removed keeper and ripcord() reverts
   * KeeperRipcordNotArmed(hf, critical) for anyone, until the HF falls below critical. Expected by ROLE-2 (b): a change
   * that takes away the only actor able to delever at or below the floor waits out the timelock (or the ripcord
   * serves from the floor). Code: SettingsModule.setKeeper (at once), EmergencyModule.ripcord (armed below critical only).
   */
  describe.skip(`promises, ROLE-2 (b) DEFECT: ${kind.label}`, function () {
    it("DEFECT: removing the keeper at once leaves a position under the floor with nobody able to delever", async function () {
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
      // ROLE-2 (b): the keeper or the ripcord can still delever the position at or below the floor.
      const keeperCan = await vault.connect(keeper).rebalance.staticCall().then(() => true, () => false);
      const ripcordCan = await vault.connect(stranger).ripcord.staticCall().then(() => true, () => false);
      expect(keeperCan || ripcordCan, "someone can still delever below the floor").to.equal(true);
    });
  });
}
