import { expect } from "chai";
import hre from "hardhat";
import fc from "fast-check";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import type { RiskHarness } from "../../typechain-types";
import { Action, Mode } from "../shared/keeper";

const WAD = 10n ** 18n;

function position(p: { leverage: bigint; healthFactor: bigint; equityValue?: bigint; debt?: bigint; price?: bigint }) {
  return {
    collateral: 0n,
    debt: p.debt ?? 1n,
    idleCollateral: 0n,
    idleDebtAsset: 0n,
    grossValue: 0n,
    debtValue: 0n,
    equityValue: p.equityValue ?? 1000n * WAD,
    leverage: p.leverage,
    healthFactor: p.healthFactor,
    price: p.price ?? 2000n * WAD,
  };
}

async function harness(): Promise<RiskHarness> {
  return (await (await hre.ethers.getContractFactory("RiskHarness")).deploy()) as unknown as RiskHarness;
}

describe("post-conditions (unit, on the pure library)", () => {
  it("VAULT-HF-1: a deleverage that lowers the health factor reverts", async () => {
    const risk = await loadFixture(harness);
    const before = position({ leverage: 3n * WAD, healthFactor: 12n * WAD / 10n });
    const after = position({ leverage: 29n * WAD / 10n, healthFactor: 11n * WAD / 10n });
    await expect(risk.checkPostConditions(Action.DeleverBand, 2n * WAD, before, after, WAD, WAD))
      .to.be.revertedWithCustomError(risk, "KeeperHealthFactorDecreased")
      .withArgs(before.healthFactor, after.healthFactor);
  });

  it("VAULT-LEV-1: leverage that does not move toward the target reverts", async () => {
    const risk = await loadFixture(harness);
    const before = position({ leverage: 3n * WAD, healthFactor: WAD });
    const overshoot = position({ leverage: WAD, healthFactor: 2n * WAD }); // |1 - 2.5| >= |3 - 2.5|
    await expect(risk.checkPostConditions(Action.DeleverHealth, 25n * WAD / 10n, before, overshoot, WAD, WAD))
      .to.be.revertedWithCustomError(risk, "KeeperLeverageNotImproved")
      .withArgs(3n * WAD, WAD, 25n * WAD / 10n);
  });

  it("VAULT-HF-2: a lever-up that ends below the floor reverts", async () => {
    const risk = await loadFixture(harness);
    const before = position({ leverage: 2n * WAD, healthFactor: 16n * WAD / 10n });
    const after = position({ leverage: 3n * WAD, healthFactor: 11n * WAD / 10n });
    await expect(risk.checkPostConditions(Action.ReleverBand, 3n * WAD, before, after, 115n * WAD / 100n, WAD))
      .to.be.revertedWithCustomError(risk, "VaultHealthFactorTooLow")
      .withArgs(after.healthFactor, 115n * WAD / 100n);
  });

  it("VAULT-EQ-1: a loss above the bound reverts, at the bound passes", async () => {
    const risk = await loadFixture(harness);
    const before = position({ leverage: 3n * WAD, healthFactor: WAD, equityValue: 1000n * WAD });
    const after = position({ leverage: 29n * WAD / 10n, healthFactor: 2n * WAD, equityValue: 990n * WAD });
    await expect(risk.checkPostConditions(Action.DeleverBand, 2n * WAD, before, after, WAD, 10n * WAD)).to.not.be.reverted;
    await expect(risk.checkPostConditions(Action.DeleverBand, 2n * WAD, before, after, WAD, 10n * WAD - 1n))
      .to.be.revertedWithCustomError(risk, "KeeperEquityLossExceeded")
      .withArgs(10n * WAD, 10n * WAD - 1n);
  });
});

describe("risk policy properties (fast-check on the pure decision)", () => {
  const leverageConfig = { targetLeverage: 3n * WAD, minLeverage: 27n * WAD / 10n, maxLeverage: 33n * WAD / 10n, minHealthFactor: 115n * WAD / 100n };
  const exits = { stopLossPrice: 1500n * WAD, takeProfitPrice: 3000n * WAD, takeProfitLeverage: 2n * WAD, trailBps: 1000, stopToDebtAsset: false };
  const arbitrary = fc.record({
    leverage: fc.bigInt(WAD, 10n * WAD),
    healthFactor: fc.bigInt(WAD / 2n, 5n * WAD),
    price: fc.bigInt(1000n * WAD, 4000n * WAD),
    highWaterMark: fc.bigInt(1000n * WAD, 4000n * WAD),
    mode: fc.constantFrom(Mode.Active, Mode.StoppedOut, Mode.ProfitTaken),
  });

  it("RISK-1: below the stop price an Active vault always stops; no lever-up below the health floor; StoppedOut never levers", async () => {
    const risk = await loadFixture(harness);
    await fc.assert(
      fc.asyncProperty(arbitrary, async (s) => {
        const pos = position({ leverage: s.leverage, healthFactor: s.healthFactor, price: s.price, debt: 1n });
        const hwm = s.highWaterMark > s.price ? s.highWaterMark : s.price;
        const [action, target] = await risk.decide(pos, leverageConfig, exits, s.mode, hwm, 8300, 0);
        if (s.mode === Mode.Active && s.price <= exits.stopLossPrice) expect(action).to.equal(Action.StopLoss);
        if (s.healthFactor < leverageConfig.minHealthFactor) expect(action).to.not.equal(Action.ReleverBand);
        if (s.mode !== Mode.Active) expect(action).to.not.equal(Action.ReleverBand);
        if (action === Action.DeleverHealth || action === Action.DeleverBand) expect(target).to.be.lte(leverageConfig.targetLeverage);
        if (action === Action.None && s.mode === Mode.Active) {
          expect(s.healthFactor >= leverageConfig.minHealthFactor).to.equal(true);
          expect(s.leverage <= leverageConfig.maxLeverage).to.equal(true);
        }
      }),
      { numRuns: 200 },
    );
  });
});
