/**
 * The refinance tooling: `vault:refinance` (the owner proposes, anyone executes after the timelock, `--dry-run`
 * simulates; rates and health factor printed) and the keeper bot's `refinanceGapBps` (it executes an accepted move
 * only when the destination borrows at least that much cheaper).
 */
import hre from "hardhat";
import { expect } from "chai";
import fs from "node:fs";
import os from "node:os";
import path from "node:path";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { refused, runTask } from "../shared/tasks";
import { borrowAaveTo } from "../shared/market-helpers";
import { getPreset, presetWorld, type PresetWorld } from "../shared/presets";
import { heldOn, refinanceWorld, venueStacks, waitOutVenueTimelock } from "../shared/refinance";
import { keeperPass } from "../../scripts/lib/keeper/keeper";
import { VENUE_IDS } from "../../scripts/lib/deploy/venues";
import { writeDeploymentRecord, type DeploymentRecord } from "../../scripts/lib/deploy/deployments";
import { createVault } from "../../scripts/lib/deploy/deploy";
import { PRESET_3X_FIXED } from "../../scripts/lib/deploy/vault";
import { deployMarket } from "../shared/market";

/** Both venues' factory stacks on one registry and a refinanceable vault made by the Aave factory (what `npm run deploy` builds). */
async function factoryWorld() {
  const market = await deployMarket();
  const { aave, morpho } = await venueStacks(market);
  const created = await createVault(hre.ethers, aave.factory, market.deployer, { settings: PRESET_3X_FIXED, salt: "tools", refinanceable: true });
  return { market, aave, morpho, created };
}

/** A deployment record in a temporary DEPLOYMENTS_DIR for the in-process network ("hardhat"); restores the variable. */
async function withRecord<T>(record: Partial<DeploymentRecord> | undefined, body: () => Promise<T>): Promise<T> {
  const saved = process.env.DEPLOYMENTS_DIR;
  process.env.DEPLOYMENTS_DIR = fs.mkdtempSync(path.join(os.tmpdir(), "deployments-"));
  try {
    if (record) writeDeploymentRecord({ network: hre.network.name, chainId: 31337, vaults: [], ...record } as DeploymentRecord);
    return await body();
  } finally {
    fs.rmSync(process.env.DEPLOYMENTS_DIR, { recursive: true, force: true });
    if (saved === undefined) delete process.env.DEPLOYMENTS_DIR;
    else process.env.DEPLOYMENTS_DIR = saved;
  }
}

/** Another borrower takes Aave's USDC reserve to 80 % utilisation: Aave's rate rises well above Morpho's. */
async function busyAave(w: PresetWorld): Promise<void> {
  const [collateral, debt] = await w.vault.oraclePrices();
  await borrowAaveTo(w.market, w.preset, 0.8, { collateral, debt }, w.decimals);
}

describe("refinance tooling", function () {
  const fixture = () => refinanceWorld("eth-long-3x", "aave");

  it("vault:refinance: the owner proposes, the move waits out the timelock, a dry run simulates, then anyone executes it", async function () {
    const w = await loadFixture(fixture);
    const vault = w.vault.target as string;
    const morpho = w.venues!.morpho.implementation;
    expect(await refused("vault:refinance", { vault, to: morpho, signer: w.stranger.address })).to.match(/only the owner/);
    expect(await refused("vault:refinance", { vault, signer: w.stranger.address })).to.match(/no move is pending/);
    const proposed = await runTask("vault:refinance", { vault, to: morpho, signer: w.market.deployer.address });
    expect(proposed.output).to.match(/venue: aave-v3 .*borrow rate/).and.match(/destination: morpho-blue/).and.match(/waits out the timelock/);
    const pending = await runTask("vault:pending", { vault });
    expect(pending.output).to.include(`venue: implementation=${morpho}`);
    expect(await refused("vault:refinance", { vault, signer: w.stranger.address })).to.match(/can be executed in \d+ h/);
    await waitOutVenueTimelock(w);
    const dry = await runTask("vault:refinance", { vault, signer: w.stranger.address, dryRun: true });
    expect(dry.output).to.match(/dry run: acceptChange\(venue\) would pass/);
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.aave.implementation);
    const done = await runTask("vault:refinance", { vault, signer: w.stranger.address });
    expect(done.output).to.match(/moved to morpho-blue: borrow rate .* -> .* a year; HF .* -> /);
    expect(await w.vault.venueImplementation()).to.equal(morpho);
    expect(await heldOn(w, "aave")).to.deep.equal({ collateral: 0n, owes: false });
  });

  it("vault:refinance on a vault not behind a proxy: one line, nothing sent", async function () {
    const other = await loadFixture(fixture);
    const w = await presetWorld(getPreset("eth-long-3x"));
    expect(
      await refused("vault:refinance", { vault: w.vault.target, to: other.venues!.morpho.implementation, signer: w.market.deployer.address }),
    ).to.match(/not behind a VaultProxy/);
  });

  it("the keeper bot executes an accepted move only when the destination borrows cheaper by the gap", async function () {
    const w = await loadFixture(fixture);
    // A registry listing the proxy (its owner approves itself as a factory to register it).
    const registry = await (await hre.ethers.getContractFactory("VaultRegistry", w.market.deployer)).deploy(w.market.deployer.address);
    await (await registry.setFactory(w.market.deployer.address, true)).wait();
    const spec = { collateralAsset: w.collateral.target, debtAsset: w.debt.target, venue: VENUE_IDS.aave, kind: hre.ethers.encodeBytes32String("eth-long-3x") };
    await (await registry.register(w.vault.target, spec)).wait();
    await busyAave(w);
    await (await w.vault.proposeVenue(w.venues!.morpho.implementation)).wait();
    const pass = (gap: number | undefined, dryRun = false) =>
      keeperPass(hre.ethers, registry.target as string, w.keeper, { refinanceGapBps: gap, dryRun, log: () => undefined });
    // Pending, not yet acceptable: nothing.
    expect((await pass(0)).refinances).to.deep.equal([]);
    await waitOutVenueTimelock(w);
    expect((await pass(undefined)).refinances).to.deep.equal([]); // the bot does not look without --refinance-gap
    expect((await pass(10_000)).refinances).to.deep.equal([]); // not 100 %/yr cheaper
    const simulated = (await pass(50, true)).refinances;
    expect(simulated).to.have.length(1);
    expect(simulated[0]).to.include({ ok: true, dryRun: true, from: "aave-v3", to: "morpho-blue" });
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.aave.implementation);
    const [move] = (await pass(50)).refinances;
    expect(move).to.include({ ok: true, from: "aave-v3", to: "morpho-blue" });
    expect(move.rateTo + 50n * 10n ** 14n).to.be.lte(move.rateFrom);
    expect(await w.vault.venueImplementation()).to.equal(w.venues!.morpho.implementation);
    expect((await pass(50)).refinances).to.deep.equal([]); // nothing pending any more
  });

  describe("vault:refinance --to <venue>: the implementation found through the deployment record", function () {
    it("the implementation recorded with the vault; the venue it already runs on, an unknown venue and no record refused in one line", async function () {
      const w = await loadFixture(fixture);
      const vault = w.vault.target as string;
      const owner = w.market.deployer.address;
      const morpho = w.venues!.morpho.implementation;
      await withRecord(undefined, async () => {
        expect(await refused("vault:refinance", { vault, to: "morpho", signer: owner })).to.match(/no implementation of .* on morpho found through deployments\/hardhat\.json \(none\).*give --to <implementation address>/);
      });
      expect(await refused("vault:refinance", { vault, to: "compound", signer: owner })).to.match(/--to 'compound' is neither a venue \(aave, morpho\) nor an address/);
      expect(await refused("vault:refinance", { vault, to: "0x1234", signer: owner })).to.match(/--to '0x1234' is not an address/);
      expect(await refused("vault:refinance", { vault, to: "aave", signer: owner })).to.match(/already runs on aave: nothing to move/);
      const entry = { address: vault, name: "x", symbol: "x", salt: "0x", creator: owner, block: 0, settings: {}, implementations: w.venues && { aave: w.venues.aave.implementation, morpho } };
      await withRecord({ vaults: [entry] }, async () => {
        const { output } = await runTask("vault:refinance", { vault, to: "MORPHO", signer: owner, dryRun: true });
        expect(output).to.include(`--to morpho: implementation ${morpho} (recorded with the vault`).and.include("dry run: proposeVenue");
        await runTask("vault:refinance", { vault, to: "morpho", signer: owner });
      });
      expect(await runTask("vault:pending", { vault }).then((r) => r.output)).to.include(`venue: implementation=${morpho}`);
    });

    it("a factory-made vault: the record's factory of that venue, else a factory its registry approved for the pair (deployed implementation or a one-line refusal)", async function () {
      const { aave, morpho, created, market } = await loadFixture(factoryWorld);
      const vault = created.address;
      const owner = market.deployer.address;
      // Only the registry recorded: its FactorySet events lead to the Morpho factory, whose implementation is not deployed yet.
      await withRecord({ registry: aave.registry.target as string, factory: aave.factory.target as string, venue: "aave" }, async () => {
        expect(await refused("vault:refinance", { vault, to: "morpho", signer: owner })).to.match(
          new RegExp(`the morpho factory ${morpho.factory.target} has not deployed its refinance implementation yet`),
        );
        await (await morpho.factory.deployRefinanceImplementation()).wait();
        const implementation = await morpho.factory.refinanceImplementation();
        const { output } = await runTask("vault:refinance", { vault, to: "morpho", signer: owner, dryRun: true });
        expect(output).to.include(`--to morpho: implementation ${implementation} (factory ${morpho.factory.target}`);
      });
      // The record's factories per venue (a refinanceable deployment's), the vault not listed in it.
      await withRecord({ registry: aave.registry.target as string, factories: { aave: aave.factory.target as string, morpho: morpho.factory.target as string } }, async () => {
        await runTask("vault:refinance", { vault, to: "morpho", signer: owner });
      });
      expect(await runTask("vault:pending", { vault }).then((r) => r.output)).to.include(`venue: implementation=${await morpho.factory.refinanceImplementation()}`);
    });
  });
});
