import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { AbiCoder, MaxUint256, encodeBytes32String, parseEther } from "ethers";
import type { ILeveredVault } from "../../typechain-types";
import { deployMarket } from "../shared/market";
import { advanceTime, fund, setMarketPrice } from "../shared/market-helpers";
import { Action } from "../shared/keeper";
import { defaultSettings, deployVault, localOracleConfig, type VaultSettings } from "../shared/vault";
import { createVaults, deployFleet } from "../../scripts/lib/deploy/vault-fleet";
import { decodeScan, scanAll, TX_GAS_CAP, type KeeperDecision } from "../../scripts/lib/keeper/keeper-scan";
import { countRpc } from "../../scripts/lib/util/rpc-counter";

const E8 = 10n ** 8n;
const NO_ERROR = "0x00000000";

/** Five factory vaults, plus registry entries that are not working vaults (owner approved as a factory). */
async function lensWorld() {
  const market = await deployMarket();
  const fleet = await deployFleet(hre.ethers, market);
  const { registry, owner } = fleet;
  const settings: Partial<VaultSettings>[] = [
    { stopLossPrice: 1900 }, // 0 funded: stop-loss at 1850
    {}, // 1 funded: quiet
    { stopLossPrice: 1900 }, // 2 empty: no position, no action even below its stop
    { targetLeverage: 3, minLeverage: 2.7, maxLeverage: 3.3 }, // 3 funded: above its band at 1850
    {}, // 4 funded: quiet
  ];
  const vaults = await createVaults(hre.ethers, fleet, settings.length, (i) => ({
    ...defaultSettings(settings[i].targetLeverage ?? 2),
    ...settings[i],
    name: `Lens test vault ${i}`,
    symbol: `LTV${i}`,
  }));
  const [alice, stranger] = market.users;
  await fund(market, alice.address, { weth: parseEther("100") });
  for (const i of [0, 1, 3, 4]) {
    const vault = (await hre.ethers.getContractAt("ILeveredVault", vaults[i], alice)) as unknown as ILeveredVault;
    await (await market.weth.connect(alice).getFunction("approve")(vault.target, MaxUint256)).wait();
    await (await vault["deposit(uint256,address)"](parseEther("10"), alice.address)).wait();
  }

  // A vault on its own ETH/USD feed, which goes stale below while the market's feeds stay fresh.
  const Feed = await hre.ethers.getContractFactory("contracts/test/MockAggregator.sol:MockAggregator");
  const ownFeed = await Feed.deploy(8, "ETH / USD (stale)", 2000n * E8);
  const oracle = { ...localOracleConfig(market), collateralFeed: ownFeed.target };
  const { vault: staleVault } = await deployVault(hre.ethers, market, { oracle });
  const Hostile = await hre.ethers.getContractFactory("HostileTrigger");
  const gasBurner = await Hostile.deploy(0);
  const malformed = await Hostile.deploy(1);
  const broken = {
    stale: staleVault.target as string,
    eoa: stranger.address,
    noTrigger: market.usdc.target as string, // a contract without trigger() or fallback
    gasBurner: gasBurner.target as string,
    malformed: malformed.target as string,
  };
  await (await registry.setFactory(owner.address, true)).wait();
  const spec = { collateralAsset: market.weth.target, debtAsset: market.usdc.target, venue: encodeBytes32String("aave-v3"), kind: encodeBytes32String("broken") };
  for (const address of Object.values(broken)) await (await registry.register(address, spec)).wait();

  await advanceTime(7200, market); // refreshes the market's feeds only
  await setMarketPrice(market, 1850);
  return { market, fleet, vaults, broken, staleVault };
}

/** What each working vault's own trigger() says, read one by one. */
async function groundTruth(vaults: string[]) {
  return Promise.all(
    vaults.map(async (address) => {
      const vault = (await hre.ethers.getContractAt("ILeveredVault", address)) as unknown as ILeveredVault;
      const { needed, action } = await vault.trigger();
      return { needed, action: Number(action) };
    }),
  );
}

const plain = (d: KeeperDecision | { vault: string; needed: boolean; action: bigint; failed: boolean; errorSelector: string }) => ({
  vault: d.vault,
  needed: d.needed,
  action: Number(d.action),
  failed: d.failed,
  errorSelector: d.errorSelector,
});

describe("KeeperLens: every trigger of a registry in a few calls", () => {
  it("reports exactly the vaults whose trigger is active, and isolates the ones that fail", async () => {
    const { fleet, vaults, broken, staleVault } = await loadFixture(lensWorld);
    const [, total, page] = await fleet.lens.scan(fleet.registry.target, 0, 100);
    expect(total).to.equal(10n);
    const decisions = page.map(plain);
    expect(decisions.map((d) => d.vault)).to.deep.equal([...vaults, ...Object.values(broken)]);

    // Working vaults: the lens agrees with each vault's own trigger(), and that is the expected set.
    const truth = await groundTruth(vaults);
    expect(decisions.slice(0, 5).map(({ needed, action }) => ({ needed, action }))).to.deep.equal(truth);
    expect(decisions.filter((d) => d.needed).map((d) => [d.vault, d.action])).to.deep.equal([
      [vaults[0], Number(Action.StopLoss)],
      [vaults[3], Number(Action.DeleverBand)],
    ]);
    expect(decisions.slice(0, 5).every((d) => !d.failed)).to.equal(true);

    // Broken entries: failed, no action, and the batch went on past each of them.
    await expect(staleVault.trigger()).to.be.revertedWithCustomError(staleVault, "OracleStale");
    const staleSelector = staleVault.interface.getError("OracleStale")!.selector;
    expect(decisions.slice(5)).to.deep.equal([
      { vault: broken.stale, needed: false, action: 0, failed: true, errorSelector: staleSelector },
      { vault: broken.eoa, needed: false, action: 0, failed: true, errorSelector: NO_ERROR },
      { vault: broken.noTrigger, needed: false, action: 0, failed: true, errorSelector: NO_ERROR },
      { vault: broken.gasBurner, needed: false, action: 0, failed: true, errorSelector: NO_ERROR },
      { vault: broken.malformed, needed: false, action: 0, failed: true, errorSelector: NO_ERROR },
    ]);

    // The same list given explicitly gives the same decisions.
    const explicit = await fleet.lens.scanVaults([...vaults, ...Object.values(broken)]);
    expect(explicit.map(plain)).to.deep.equal(decisions);
  });

  it("scanAll pages through the registry at one block, with one eth_call per page and nothing else", async () => {
    const { fleet } = await loadFixture(lensWorld);
    const [, , page] = await fleet.lens.scan(fleet.registry.target, 0, 100);
    const counter = countRpc(hre.network.provider);
    let result;
    try {
      result = await scanAll(fleet.lens, fleet.registry.target, { batchSize: 3 });
    } finally {
      counter.stop();
    }
    expect(result.decisions).to.deep.equal(page.map(plain));
    expect(result.total).to.equal(10);
    expect(result.blockNumber).to.equal(await hre.ethers.provider.getBlockNumber());
    expect([result.calls, result.splits]).to.deep.equal([4, 0]); // ceil(10 / 3)
    expect(counter.byMethod).to.deep.equal({ eth_call: 4 });
  });

  it("refuses a page it lacks the gas for, and scanAll splits that page instead of misreporting vaults", async () => {
    const { fleet, vaults, broken } = await loadFixture(lensWorld);
    const { lens, registry } = fleet;
    const allowance = await lens.TRIGGER_GAS_LIMIT();
    // Two gas burners take their whole allowance each: 700k leaves too little for a third vault's allowance.
    await expect(lens.scanVaults([broken.gasBurner, broken.gasBurner, vaults[0]], { gasLimit: 700_000n }))
      .to.be.revertedWithCustomError(lens, "KeeperLensOutOfGas")
      .withArgs(2n, (gasLeft: bigint) => gasLeft < allowance);
    const [, , page] = await lens.scan(registry.target, 0, 100, { gasLimit: TX_GAS_CAP });
    // 600k covers the five vaults and the burner, not all ten entries: the first page is split.
    const result = await scanAll(lens, registry.target, { batchSize: 10, gasPerCall: 600_000n });
    expect(result.decisions).to.deep.equal(page.map(plain));
    expect(result.splits).to.be.greaterThan(0);
    // Each split costs at least one more call (how many depends on where the gas runs out).
    expect(result.calls).to.be.greaterThan(result.splits);
  });

  it("scanAll reads a given block: decisions before a price move stay as they were", async () => {
    const { fleet, market, vaults } = await loadFixture(lensWorld);
    const before = await scanAll(fleet.lens, fleet.registry.target, { batchSize: 4 });
    await setMarketPrice(market, 2000);
    const now = await scanAll(fleet.lens, fleet.registry.target, { batchSize: 4 });
    expect(now.decisions.filter((d) => d.needed)).to.deep.equal([]);
    const then = await scanAll(fleet.lens, fleet.registry.target, { batchSize: 4, blockTag: before.blockNumber });
    expect(then.decisions).to.deep.equal(before.decisions);
    expect(then.decisions.filter((d) => d.needed).map((d) => d.vault)).to.deep.equal([vaults[0], vaults[3]]);
  });

  it("decodeScan reads the fixed layout and rejects anything else", async () => {
    const { fleet } = await loadFixture(lensWorld);
    const data = fleet.lens.interface.encodeFunctionResult("scan", [
      7n,
      2n,
      [
        [fleet.lens.target, true, Action.StopLoss, false, NO_ERROR],
        [fleet.registry.target, false, Action.None, true, "0x12345678"],
      ],
    ]);
    expect(decodeScan(data)).to.deep.equal({
      blockNumber: 7,
      total: 2,
      decisions: [
        { vault: fleet.lens.target, needed: true, action: Number(Action.StopLoss), failed: false, errorSelector: NO_ERROR },
        { vault: fleet.registry.target, needed: false, action: 0, failed: true, errorSelector: "0x12345678" },
      ],
    });
    expect(() => decodeScan(data.slice(0, -64))).to.throw(/malformed/);
    const badBool = AbiCoder.defaultAbiCoder().encode(
      ["uint256", "uint256", "uint256[5][]"],
      [7n, 1n, [[1n, 2n, 0n, 0n, 0n]]],
    );
    expect(() => decodeScan(badBool)).to.throw(/decision 0/);
  });
});
