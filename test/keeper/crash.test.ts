import { expect } from "chai";
import { plain } from "../shared/structs";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { keeper3xStop, runKeeper, aaveHealthFactor, Mode } from "../shared/keeper";
import { setMarketPrice, advanceTime, liquidate } from "../shared/market-helpers";
import { recordGas } from "../shared/gas";
import { acceptPending } from "../shared/timelock";

const START = 2000;
const STEPS = 10; // 2000 -> 1300 (-35%) in ten equal steps of 70 USD
const prices = Array.from({ length: STEPS }, (_, i) => START - ((i + 1) * START * 0.35) / STEPS);
const WAD = 10n ** 18n;

describe("scenario: crash of 35% in steps", () => {
  it("with a keeper acting at each step, the vault is never liquidatable and ends stopped out", async () => {
    const { vault, keeper, market } = await loadFixture(keeper3xStop);
    const vaultAddress = await vault.getAddress();
    let minHealthFactor = await aaveHealthFactor(market, vaultAddress);
    const actions: bigint[] = [];
    for (const price of prices) {
      await advanceTime(3600, market);
      await setMarketPrice(market, price);
      actions.push(...(await runKeeper(vault, keeper)));
      const hf = await aaveHealthFactor(market, vaultAddress);
      if (hf < minHealthFactor) minHealthFactor = hf;
      expect(hf, `Aave HF at ${price}`).to.be.gt(WAD);
    }
    expect(minHealthFactor).to.be.gt(WAD);
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
    const position = await vault.position();
    expect(position.debt).to.equal(0n);
    expect(position.leverage).to.equal(WAD);
    expect(actions.length).to.be.greaterThan(1);
    // Stopped out means unlevered until re-armed: nothing more to do.
    expect((await vault.trigger()).needed).to.equal(false);
  });

  it("without a keeper, the same position is liquidated by the real Aave liquidationCall", async () => {
    const { vault, market } = await loadFixture(keeper3xStop);
    const vaultAddress = await vault.getAddress();
    let liquidatedAt = 0;
    for (const price of prices) {
      await advanceTime(3600, market);
      await setMarketPrice(market, price);
      if ((await aaveHealthFactor(market, vaultAddress)) < WAD) {
        liquidatedAt = price;
        break;
      }
    }
    expect(liquidatedAt, "position became liquidatable").to.be.greaterThan(0);
    const before = await vault.position();
    const { debtRepaid, collateralReceived } = await liquidate(market, vaultAddress);
    const after = await vault.position();
    expect(debtRepaid).to.be.gt(0n);
    expect(after.debt).to.be.lt(before.debt);
    expect(before.collateral - after.collateral).to.equal(collateralReceived);
  });

  it("unwinds a stop-loss in chunks of the max trade size, the last one exact (gas recorded)", async () => {
    const { vault, keeper, market } = await loadFixture(keeper3xStop);
    await (await vault.setExitConfig({ ...plain(await vault.exitConfig()), stopLossPrice: 1950n * WAD })).wait();
    await acceptPending(vault, market);
    await setMarketPrice(market, 1950);
    const maxTrade = (await vault.automationConfig()).maxTradeSize;
    const debt0 = (await vault.position()).debt;
    await recordGas("keeper.stopLoss chunk 3x", vault.connect(keeper).rebalance());
    const debt1 = (await vault.position()).debt;
    expect(debt0 - debt1).to.be.lte(maxTrade).and.gt((maxTrade * 99n) / 100n);
    expect((await vault.automationState()).mode).to.equal(Mode.StoppedOut);
    await recordGas("keeper.stopLoss final unwind 3x", vault.connect(keeper).rebalance());
    expect((await vault.position()).debt).to.equal(0n);
    await expect(vault.connect(keeper).rebalance()).to.be.revertedWithCustomError(vault, "KeeperNothingToDo");
  });
});
