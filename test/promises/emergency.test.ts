/**
 * The emergency promises on every kind of vault (each preset on each venue), where test/security/ripcord-1.reward.test.ts
 * and test/keeper/ripcord.test.ts check them on the 3x WETH/USDC Aave vault:
 * - IVaultEmergency.ripcord: "Anyone, when the health factor is below critical"; above it KeeperRipcordNotArmed;
 * - VAULT-HF-1 / VAULT-LEV-1: a ripcord never lowers the health factor and moves leverage down;
 * - RIPCORD-1: the reward is at most ripcordRewardBps of the debt value repaid and ripcordRewardCap pro rata of a
 *   full maxTradeSize chunk;
 * - OUTAGE-1: with fresh feeds the outage path refuses (OutageFeedsFresh); TRIGGER-1 at the crash state;
 * - UNHEALTHY-1: below a market HF of 1 deposits and partial exits revert VaultPositionUnhealthy(hf) and their max* are
 *   0, the last holder's full exit goes through, the ripcord goes through and raises the HF;
 * - IVaultKeeper.poke: anyone; idle debt asset repays debt, idle collateral is supplied;
 * - OUTAGE-1: OutageFeedsFresh, then OutageGracePeriod(opensAt), then anyone's outageDelever() repays at most
 *   maxActionBps of the debt per call and maxHourlyBps per clock hour, pays nobody, while deposits and exits refuse the
 *   stale feed; the HF rises.
 */
import { expect } from "chai";
import { loadFixture, mine, takeSnapshot, time } from "@nomicfoundation/hardhat-network-helpers";
import { allFeeds, movePoolOnly, refreshFeeds } from "../shared/market-helpers";
import { collateralFor, debtFor, fundLeg, movePairPrice } from "../shared/presets";
import { nextBlock } from "../security/fixtures";
import { KINDS, pushAboveBand } from "./worlds";

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
      // Rounding: a raw unit of each token's worth (repaid is read with interest to the block, and Aave's scaled
      // debt balance may fall by one raw unit less than the amount the ripcord repaid).
      const slack = collateralPrice / collateralUnit + debtPrice / debtUnit + 2n;
      expect(rewardValue, "RIPCORD-1: <= ripcordRewardBps of the debt value repaid").to.be.lte(byBps + slack);
      expect(rewardValue, "RIPCORD-1: <= ripcordRewardCap pro rata").to.be.lte(byCap + slack);
    });

    it("UNHEALTHY-1: below HF 1 deposits and partial exits revert VaultPositionUnhealthy, their max* are 0; the ripcord goes through and raises the HF", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, bob, carol, probe, stranger } = w;
      // Two holders left (alice, carol), so that every exit is a partial one.
      await (await vault.connect(bob)["redeem(uint256,address,address)"](await vault.balanceOf(bob.address), bob.address, bob.address)).wait();
      await (await probe.redeem(await vault.balanceOf(await probe.getAddress()))).wait();
      await (await vault.connect(carol)["deposit(uint256,address)"](await collateralFor(w, 2_000), carol.address)).wait();
      const p0 = await vault.position();
      await movePairPrice(w, 0.97 / (Number(p0.healthFactor) / 1e18));
      const before = await vault.position();
      expect(before.healthFactor, "market HF below 1").to.be.lt(WAD).and.gt((WAD * 9n) / 10n);
      expect(await vault.maxDeposit(carol.address)).to.equal(0n);
      expect(await vault.maxMint(carol.address)).to.equal(0n);
      expect(await vault.maxRedeem(carol.address)).to.equal(0n);
      expect(await vault.maxWithdraw(carol.address)).to.equal(0n);
      await expect(vault.connect(carol)["deposit(uint256,address)"](await collateralFor(w, 100), carol.address)).to.be.revertedWithCustomError(
        vault,
        "VaultPositionUnhealthy",
      );
      await expect(vault.connect(carol)["redeem(uint256,address,address)"]((await vault.balanceOf(carol.address)) / 2n, carol.address, carol.address))
        .to.be.revertedWithCustomError(vault, "VaultPositionUnhealthy");

      // All of carol's shares are still a partial exit of the vault: refused.
      await expect(vault.connect(carol)["redeem(uint256,address,address)"](await vault.balanceOf(carol.address), carol.address, carol.address))
        .to.be.revertedWithCustomError(vault, "VaultPositionUnhealthy");

      await expect(vault.connect(stranger).ripcord()).to.emit(vault, "RipcordRewardPaid");
      const after = await vault.position();
      expect(after.healthFactor, "the ripcord raised the HF").to.be.gt(before.healthFactor);
    });

    it("UNHEALTHY-1: below HF 1 the last holder's full exit goes through and repays all the debt", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, alice, bob, probe } = w;
      await (await vault.connect(bob)["redeem(uint256,address,address)"](await vault.balanceOf(bob.address), bob.address, bob.address)).wait();
      await (await probe.redeem(await vault.balanceOf(await probe.getAddress()))).wait();
      // A slice the pool absorbs within the slippage once the price has moved out of the LPs' concentrated range
      // (EXIT-1's limit): alice keeps a tenth of her shares.
      const keep = (await vault.balanceOf(alice.address)) / 10n;
      await (await vault.connect(alice)["redeem(uint256,address,address)"]((await vault.balanceOf(alice.address)) - keep, alice.address, alice.address)).wait();
      const p0 = await vault.position();
      await movePairPrice(w, 0.97 / (Number(p0.healthFactor) / 1e18));
      expect((await vault.position()).healthFactor).to.be.lt(WAD);
      const shares = await vault.balanceOf(alice.address);
      expect(shares).to.equal(await vault.totalSupply());
      expect(await vault.maxRedeem(alice.address), "maxRedeem of the last holder").to.equal(shares);
      const held: bigint = await w.collateral.balanceOf(alice.address);
      await expect(vault.connect(alice)["redeem(uint256,address,address)"](shares, alice.address, alice.address)).to.emit(vault, "Withdraw");
      expect(((await w.collateral.balanceOf(alice.address)) as bigint) - held).to.be.gt(0n);
      expect(await w.debtOf()).to.equal(0n);
    });

    it("poke: anyone's poke repays debt with a debt-asset donation and supplies a collateral donation", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, stranger } = w;
      const vaultAddress = await vault.getAddress();
      const debtGift = await debtFor(w, 1_000);
      await fundLeg(w, "debt", vaultAddress, debtGift);
      const before = await vault.position();
      expect(before.idleDebtAsset).to.equal(debtGift);
      await (await vault.connect(stranger).poke()).wait();
      const mid = await vault.position();
      expect(mid.idleDebtAsset).to.equal(0n);
      expect(before.debt - mid.debt).to.be.closeTo(debtGift, debtGift / 1000n);
      const collateralGift = await collateralFor(w, 1_000);
      await fundLeg(w, "collateral", vaultAddress, collateralGift);
      await (await vault.connect(stranger).poke()).wait();
      const after = await vault.position();
      expect(after.idleCollateral).to.equal(0n);
      expect(after.collateral - mid.collateral).to.be.closeTo(collateralGift, collateralGift / 1000n);
    });

    it("OUTAGE-1: fresh, then the grace period, then anyone delevers within the per-call and hourly caps, unpaid, while deposits and exits refuse the stale feed", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, stranger, carol, alice } = w;
      await pushAboveBand(w, 1.03);
      const before = await vault.position();
      const config = await vault.outageConfig();
      await expect(vault.connect(stranger).outageDelever()).to.be.revertedWithCustomError(vault, "OutageFeedsFresh");
      // Every kind has a 1 h feed (ETH/USD or BTC/USD); the others are 24 h.
      const start = BigInt(await time.latest());
      await time.increaseTo(start + 3600n + 60n);
      await expect(vault.connect(stranger).outageDelever()).to.be.revertedWithCustomError(vault, "OutageGracePeriod");
      await time.increaseTo(start + 3600n + config.gracePeriod + 10n);
      const held = [await w.collateral.balanceOf(stranger.address), await w.debt.balanceOf(stranger.address)];
      let repaidTotal = 0n;
      let refusal = "";
      for (let i = 0; i < 4 && !refusal; i++) {
        try {
          const receipt = (await (await vault.connect(stranger).outageDelever()).wait())!;
          const event = receipt.logs.map((l) => vault.interface.parseLog(l)).find((e) => e?.name === "OutageDelevered")!;
          const repaid = event.args[1] as bigint;
          expect(repaid, "maxActionBps of the debt per call").to.be.gt(0n).and.lte((before.debt * (config.maxActionBps + 1n)) / 10_000n);
          repaidTotal += repaid;
        } catch (e) {
          refusal = String((e as Error).message);
        }
      }
      expect(refusal, "the path stops at its hourly cap or when nothing is left to do").to.match(/OutageHourlyCapReached|OutageNothingToDelever/);
      const state = await vault.outageState();
      expect(state.hourRepaid).to.equal(repaidTotal);
      expect(repaidTotal, "maxHourlyBps of the hour's debt").to.be.lte((state.hourDebt * config.maxHourlyBps) / 10_000n + 1n);
      expect([await w.collateral.balanceOf(stranger.address), await w.debt.balanceOf(stranger.address)], "no reward").to.deep.equal(held);
      await expect(vault.connect(carol)["deposit(uint256,address)"](await w.collateral.balanceOf(carol.address) / 1000n, carol.address)).to.be.revertedWithCustomError(
        vault,
        "OracleStale",
      );
      await expect(vault.connect(alice)["redeem(uint256,address,address)"](10n ** 9n, alice.address, alice.address)).to.be.revertedWithCustomError(vault, "OracleStale");
      await refreshFeeds(w.market, allFeeds(w.market));
      const after = await vault.position();
      expect(after.healthFactor).to.be.gt(before.healthFactor);
      expect(after.leverage).to.be.lt(before.leverage);
    });

    it("VAULT-DEX-1: with the pool off the oracle beyond maxDexDeviationBps (either side) a due band deleverage is not announced and rebalance() refuses; back inside, it goes", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault, keeper, market } = w;
      await pushAboveBand(w, 1.02);
      const { needed, action } = await vault.trigger();
      expect(needed, `an action is due (${action})`).to.equal(true);
      const { maxDexDeviationBps } = await vault.automationConfig();
      const [, healthDeviation] = await vault.healthActionBounds();
      const bound = Number(healthDeviation > maxDexDeviationBps ? healthDeviation : maxDexDeviationBps);
      for (const side of [1, -1]) {
        const snapshot = await takeSnapshot();
        await movePoolOnly(market, side * (bound + 25), w.uniPool);
        await mine();
        expect((await vault.trigger()).needed, `pool ${side * (bound + 25)} bps off: not announced`).to.equal(false);
        await expect(vault.connect(keeper).rebalance()).to.be.reverted;
        const reason = await vault.connect(keeper).rebalance.staticCall().then(() => "ok", (e: Error) => e.message);
        expect(reason).to.match(/KeeperDexDeviation|KeeperNoTradeRoom/);
        await snapshot.restore();
      }
      await expect(vault.connect(keeper).rebalance()).to.emit(vault, "ActionExecuted");
    });

    it("urgency (docs/PROTECTION.md 1): healthActionBounds are the configured ones at or above the floor, 75 % of the venue's liquidation bonus at or below critical, linear in between", async function () {
      const w = await loadFixture(kind.fixture);
      const { vault } = w;
      const slippage = (await vault.executionConfig()).maxSlippageBps;
      const deviation = (await vault.automationConfig()).maxDexDeviationBps;
      const floor = (await vault.leverageConfig()).minHealthFactor;
      const critical = (await vault.automationConfig()).criticalHealthFactor;
      // The venue's liquidation bonus, read independently of the vault (bps above 100 %).
      let bonusBps: bigint;
      if (w.venue === "morpho") {
        const params = Object.values(w.blue!.markets).find((p) => p.collateralToken === w.collateral.target)!;
        const lltv = BigInt(params.lltv);
        const factor = (WAD * WAD) / (WAD - (3n * 10n ** 17n * (WAD - lltv)) / WAD);
        bonusBps = (factor < 115n * 10n ** 16n ? factor : 115n * 10n ** 16n) / 10n ** 14n - BPS;
      } else if (w.preset.eMode) {
        bonusBps = BigInt((await w.market.pool.getEModeCategoryData(1)).liquidationBonus) - BPS;
      } else {
        bonusBps = BigInt((await w.market.dataProvider.getReserveConfigurationData(w.collateral.target)).liquidationBonus) - BPS;
      }
      const cap = (bonusBps * 7500n) / BPS;
      const at = (configured: bigint, urgencyWad: bigint) => (cap > configured ? configured + ((cap - configured) * urgencyWad) / WAD : configured);
      expect([...(await vault.healthActionBounds())], "healthy: configured").to.deep.equal([slippage, deviation]);
      const p0 = await vault.position();
      for (const aim of [critical - critical / 200n, (floor + critical) / 2n]) {
        const snapshot = await takeSnapshot();
        await movePairPrice(w, Number((aim * WAD) / p0.healthFactor) / 1e18);
        const hf = (await vault.position()).healthFactor;
        expect(hf).to.be.lt(floor);
        const urgency = hf <= critical ? WAD : ((floor - hf) * WAD) / (floor - critical);
        const [s, d] = await vault.healthActionBounds();
        expect(s, `slippage at HF ${hf}`).to.be.closeTo(at(slippage, urgency), 1n);
        expect(d, `deviation at HF ${hf}`).to.be.closeTo(at(deviation, urgency), 1n);
        await snapshot.restore();
      }
    });
  });
}
