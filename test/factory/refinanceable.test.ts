/**
 * VaultFactory.createRefinanceableVault (issue 20): a refinanceable vault created and listed through the factory, a
 * VaultProxy in front of the factory's own implementation, initialised in its constructor call. Both venues' stacks
 * share one registry (as `VAULT_REFINANCEABLE=1 npm run deploy` deploys them); the vault starts on either and moves to
 * the other venue's factory implementation. Then what an attacker could try: initialise it again, configure the
 * implementation, take the creator's address, create one from an unapproved factory, or one without an owner.
 */
import { expect } from "chai";
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { ZeroAddress, parseEther, MaxUint256 } from "ethers";
import type { ILeveredVault, VaultFactory } from "../../typechain-types";
import { ChangeKind } from "../shared/timelock";
import { deployMarket, type Market } from "../shared/market";
import { fund } from "../shared/market-helpers";
import { advanceTimeAllFeeds } from "../shared/presets";
import { venueStacks } from "../shared/refinance";
import { createVault, toSalt, vaultInitParams, type Stack, type Venue } from "../../scripts/lib/deploy/deploy";
import { VENUE_CONTRACTS, VENUE_IDS, kindId } from "../../scripts/lib/deploy/venues";
import { SETTINGS_3X } from "./fixtures";

const VENUES: Venue[] = ["aave", "morpho"];
const other = (venue: Venue): Venue => (venue === "aave" ? "morpho" : "aave");

interface World {
  market: Market;
  stacks: Record<Venue, Stack<Venue>>;
  owner: Market["deployer"];
  alice: Market["deployer"];
  bob: Market["deployer"];
  stranger: Market["deployer"];
}

/** The WETH/USDC stacks of both venues, one registry, alice and bob funded. */
async function bothVenues(): Promise<World> {
  const market = await deployMarket();
  const [alice, bob, , stranger] = market.users;
  const stacks = await venueStacks(market);
  for (const user of [alice, bob]) await fund(market, user.address, { weth: parseEther("100") });
  return { market, stacks, owner: market.deployer, alice, bob, stranger };
}

const vaultAt = (address: string, runner?: Market["deployer"]) =>
  hre.ethers.getContractAt("ILeveredVault", address, runner) as unknown as Promise<ILeveredVault>;

for (const venue of VENUES) {
  describe(`factory: refinanceable vaults (starting on ${venue})`, () => {
    it("deploys the implementation once, the proxy at the predicted address, initialised and listed with its spec", async () => {
      const { stacks, alice, bob, market } = await loadFixture(bothVenues);
      const { factory, registry, module } = stacks[venue];
      expect(await factory.refinanceImplementation()).to.equal(ZeroAddress);
      const { settings, params, salt } = vaultInitParams(alice.address, { settings: SETTINGS_3X, salt: "refi-1" });
      const kind = kindId("eth-long-3x");
      const predicted = await factory.predictRefinanceableVaultAddress(alice.address, settings.name, settings.symbol, params, salt);
      // Not the plain vault's address for the same arguments.
      expect(predicted).to.not.equal(await factory.predictVaultAddress(alice.address, settings.name, settings.symbol, params, salt));

      const tx = factory.connect(alice).createRefinanceableVault(settings.name, settings.symbol, kind, params, salt);
      await expect(tx)
        .to.emit(factory, "RefinanceImplementationDeployed")
        .and.to.emit(factory, "VaultCreated")
        .withArgs(predicted, alice.address, kind, salt, settings.name, settings.symbol)
        .and.to.emit(registry, "VaultRegistered")
        .withArgs(predicted, factory.target);
      const implementation = await factory.refinanceImplementation();
      expect(implementation).to.not.equal(ZeroAddress);

      const vault = await vaultAt(predicted, alice);
      expect(await vault.venueImplementation()).to.equal(implementation);
      expect(await vault.name()).to.equal(settings.name);
      expect(await vault.symbol()).to.equal(settings.symbol);
      expect(await vault.owner()).to.equal(alice.address);
      expect(await vault.asset()).to.equal(market.weth.target);
      expect(await registry.factoryOf(predicted)).to.equal(factory.target);
      const spec = await registry.specOf(predicted);
      expect([spec.collateralAsset, spec.debtAsset, spec.venue, spec.kind]).to.deep.equal([market.weth.target, market.usdc.target, VENUE_IDS[venue], kind]);
      // The implementation is the factory's venue code on its module, its own storage locked (no owner).
      const core = await hre.ethers.getContractAt(VENUE_CONTRACTS[venue].vault, implementation);
      expect(await core.getFunction("MODULE")()).to.equal(module.target);
      expect(await (await vaultAt(implementation)).owner()).to.equal(ZeroAddress);

      // A second vault (another creator) reuses it; deploying it again is a no-op for anyone.
      const second = await createVault(hre.ethers, factory, bob, { settings: SETTINGS_3X, salt: "refi-1", refinanceable: true });
      expect(await (await vaultAt(second.address)).venueImplementation()).to.equal(implementation);
      await expect(factory.connect(bob).deployRefinanceImplementation()).to.not.emit(factory, "RefinanceImplementationDeployed");
      expect(await factory.deployRefinanceImplementation.staticCall()).to.equal(implementation);
      expect(await registry.vaultCount()).to.equal(2n);
    });

    it("takes deposits, and moves to the other factory's implementation after the timelock, still listed", async () => {
      const { stacks, alice, stranger, market } = await loadFixture(bothVenues);
      const created = await createVault(hre.ethers, stacks[venue].factory, alice, { settings: SETTINGS_3X, salt: "move", refinanceable: true });
      const vault = created.vault;
      await (await market.weth.connect(alice).getFunction("approve")(created.address, MaxUint256)).wait();
      await (await vault["deposit(uint256,address)"](parseEther("5"), alice.address)).wait();
      expect((await vault.position()).debt).to.be.gt(0n);

      const destination = stacks[other(venue)].factory;
      // Before any vault exists there, anyone may deploy that venue's implementation.
      await expect(destination.connect(stranger).deployRefinanceImplementation()).to.emit(destination, "RefinanceImplementationDeployed");
      const to = await destination.refinanceImplementation();
      await (await vault.proposeVenue(to)).wait();
      const [, validAt] = await vault.pendingChange(ChangeKind.Venue);
      await advanceTimeAllFeeds(market, Number(validAt) - (await hre.ethers.provider.getBlock("latest"))!.timestamp);
      const assets = await vault.totalAssets();
      await expect(vault.connect(stranger).acceptChange(ChangeKind.Venue)).to.emit(vault, "VenueMoved");
      expect(await vault.venueImplementation()).to.equal(to);
      expect(await vault.totalAssets()).to.be.closeTo(assets, assets / 10_000n);
      expect(await stacks[venue].registry.isRegistered(created.address)).to.equal(true);
    });

    describe("what an attacker could try", () => {
      it("initialise the proxy a second time: VaultAlreadyInitialized; configure the implementation: VaultNotRefinanceable", async () => {
        const { stacks, alice, stranger } = await loadFixture(bothVenues);
        const { factory } = stacks[venue];
        const created = await createVault(hre.ethers, factory, alice, { settings: SETTINGS_3X, salt: "init", refinanceable: true });
        const { params } = vaultInitParams(stranger.address, { settings: SETTINGS_3X });
        const mover = await hre.ethers.getContractAt("IVenueMover", created.address, stranger);
        const core = await hre.ethers.getContractAt("ILeveredVault", created.address);
        await expect(mover.initializeProxy("x", "x", params)).to.be.revertedWithCustomError(core, "VaultAlreadyInitialized");
        expect(await created.vault.owner()).to.equal(alice.address);
        // The implementation is no proxy: its mover refuses to initialise it.
        const implementation = await hre.ethers.getContractAt("IVenueMover", await factory.refinanceImplementation(), stranger);
        const refinance = await hre.ethers.getContractAt("IVaultRefinance", implementation.target);
        await expect(implementation.initializeProxy("x", "x", params)).to.be.revertedWithCustomError(refinance, "VaultNotRefinanceable");
      });

      it("take another creator's address: the salt is bound to the creator; the same (creator, salt) twice: FailedDeployment", async () => {
        const { stacks, alice, bob } = await loadFixture(bothVenues);
        const { factory, registry } = stacks[venue];
        const salt = toSalt("shared");
        const a = vaultInitParams(alice.address, { settings: SETTINGS_3X, salt });
        const predictedA = await factory.predictRefinanceableVaultAddress(alice.address, a.settings.name, a.settings.symbol, a.params, salt);
        // bob sends alice's exact arguments (alice in every role) first: he lands elsewhere, alice still gets hers.
        const fromBob = await factory.connect(bob).createRefinanceableVault.staticCall(a.settings.name, a.settings.symbol, a.kind, a.params, salt);
        expect(fromBob).to.not.equal(predictedA);
        await (await factory.connect(bob).createRefinanceableVault(a.settings.name, a.settings.symbol, a.kind, a.params, salt)).wait();
        const fromAlice = await createVault(hre.ethers, factory, alice, { settings: SETTINGS_3X, salt, refinanceable: true });
        expect(fromAlice.address).to.equal(predictedA);
        await expect(factory.connect(alice).createRefinanceableVault(a.settings.name, a.settings.symbol, a.kind, a.params, salt)).to.be.revertedWithCustomError(
          factory,
          "FailedDeployment",
        );
        expect(await registry.vaultCount()).to.equal(2n);
      });

      it("a vault without an owner: the initialisation's VaultInvalidRole, nothing deployed or listed", async () => {
        const { stacks, alice } = await loadFixture(bothVenues);
        const { factory, registry } = stacks[venue];
        const { settings, params, salt, kind } = vaultInitParams(alice.address, {
          settings: SETTINGS_3X,
          roles: { owner: ZeroAddress },
          salt: "no owner",
        });
        const core = await hre.ethers.getContractAt("ILeveredVault", ZeroAddress);
        await expect(factory.connect(alice).createRefinanceableVault(settings.name, settings.symbol, kind, params, salt)).to.be.revertedWithCustomError(
          core,
          "VaultInvalidRole",
        );
        const predicted = await factory.predictRefinanceableVaultAddress(alice.address, settings.name, settings.symbol, params, salt);
        expect(await hre.ethers.provider.getCode(predicted)).to.equal("0x");
        expect(await registry.vaultCount()).to.equal(0n);
      });

      it("a factory the registry does not approve: RegistryUnauthorizedFactory, nothing deployed", async () => {
        const { stacks, owner, alice } = await loadFixture(bothVenues);
        const { factory, registry } = stacks[venue];
        await (await registry.connect(owner).setFactory(factory.target, false)).wait();
        const { settings, params, salt, kind } = vaultInitParams(alice.address, { settings: SETTINGS_3X, salt: "unapproved" });
        await expect(factory.connect(alice).createRefinanceableVault(settings.name, settings.symbol, kind, params, salt))
          .to.be.revertedWithCustomError(registry, "RegistryUnauthorizedFactory")
          .withArgs(factory.target);
        const predicted = await factory.predictRefinanceableVaultAddress(alice.address, settings.name, settings.symbol, params, salt);
        expect(await hre.ethers.provider.getCode(predicted)).to.equal("0x");
      });
    });
  });
}

describe("factory: plain vaults are unchanged beside refinanceable ones", () => {
  it("a plain vault answers venueImplementation() = 0 and refuses a move (VaultNotRefinanceable)", async () => {
    const { stacks, alice } = await loadFixture(bothVenues);
    const plain = await createVault(hre.ethers, stacks.aave.factory as VaultFactory, alice, { settings: SETTINGS_3X, salt: "plain" });
    expect(await plain.vault.venueImplementation()).to.equal(ZeroAddress);
    const to = await stacks.morpho.factory.deployRefinanceImplementation.staticCall();
    await (await stacks.morpho.factory.deployRefinanceImplementation()).wait();
    await expect(plain.vault.proposeVenue(to)).to.be.revertedWithCustomError(plain.vault, "VaultNotRefinanceable");
  });
});
