/**
 * World states one step past the bare vault fixtures: alice has deposited 10 WETH (one named fixture per
 * target, so loadFixture snapshots each once). Targets are listed with their fixtures for parameterised tests.
 */
import { parseEther } from "ethers";
import { vault1x, vault2x, vault3x, type VaultWorld } from "./vault";

export const FIRST_DEPOSIT = parseEther("10");

async function withAlice(world: Promise<VaultWorld>): Promise<VaultWorld> {
  const w = await world;
  await (await w.vault.connect(w.alice)["deposit(uint256,address)"](FIRST_DEPOSIT, w.alice.address)).wait();
  return w;
}

export const funded1x = () => withAlice(vault1x());
export const funded2x = () => withAlice(vault2x());
export const funded3x = () => withAlice(vault3x());

export interface Target {
  name: "1x" | "2x" | "3x";
  leverage: number;
  empty: () => Promise<VaultWorld>;
  funded: () => Promise<VaultWorld>;
}

export const TARGETS: Target[] = [
  { name: "1x", leverage: 1, empty: vault1x, funded: funded1x },
  { name: "2x", leverage: 2, empty: vault2x, funded: funded2x },
  { name: "3x", leverage: 3, empty: vault3x, funded: funded3x },
];
