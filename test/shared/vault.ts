/**
 * Vault fixtures: the local market plus a vault at a given target leverage, deployed once per world state
 * through loadFixture. Signers: `alice`, `bob`, `carol` are depositors funded with WETH; `keeper` is allow-listed.
 */
import hre from "hardhat";
import { loadFixture } from "@nomicfoundation/hardhat-network-helpers";
import { MaxUint256, parseEther } from "ethers";
import { deployMarket, type Market } from "./market";
import { fund } from "./market-helpers";
import { deployVault, type DeployedVault, type VaultSettings } from "../../scripts/lib/deploy/vault";

export * from "../../scripts/lib/deploy/vault";

export interface VaultWorld extends DeployedVault {
  market: Market;
  alice: Market["deployer"];
  bob: Market["deployer"];
  carol: Market["deployer"];
  keeper: Market["deployer"];
  stranger: Market["deployer"];
}

export async function vaultWorld(settings: Partial<VaultSettings> = {}): Promise<VaultWorld> {
  const market = await deployMarket();
  const [alice, bob, carol, keeper, stranger] = market.users;
  const deployed = await deployVault(hre.ethers, market, { settings, keepers: [keeper.address] });
  for (const user of [alice, bob, carol]) {
    await fund(market, user.address, { weth: parseEther("1000") });
    await (await market.weth.connect(user).getFunction("approve")(deployed.vault.target, MaxUint256)).wait();
  }
  return { ...deployed, market, alice, bob, carol, keeper, stranger };
}

// One named fixture per world state (loadFixture keys on the function).
export const vault1x = () => vaultWorld({ targetLeverage: 1, minLeverage: 1, maxLeverage: 1 });
export const vault2x = () => vaultWorld({ targetLeverage: 2, minLeverage: 1.8, maxLeverage: 2.2 });
export const vault3x = () => vaultWorld({ targetLeverage: 3, minLeverage: 2.7, maxLeverage: 3.3, minHealthFactor: 1.15 });

export const loadVault = (fixture: () => Promise<VaultWorld>) => loadFixture(fixture);
